package gitlab

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"
)

// Error is a failed GitLab operation. It keeps the HTTP status of GitLab's
// answer, so callers can tell 404 from 403 from 401, and whether the server
// may have acted on the request.
type Error struct {
	Op      string // what was being done: "list projects of group 789"
	Status  int    // HTTP status of GitLab's answer; 0 when none came
	Message string // GitLab's own message, shortened; may be empty
	// Code is the OAuth error GitLab named ("invalid_token",
	// "insufficient_scope"); empty when it named none.
	Code string
	// RetryAfter is the wait a 429 asked for; 0 when it named none.
	RetryAfter time.Duration
	unclear    bool
	err        error
}

func (e *Error) Error() string {
	if e.Status == 0 || e.Status < 300 && e.err != nil { // no answer that says more
		msg := e.Op + ": " + cause(e.err)
		switch {
		case e.unclear && e.read():
			return msg + " (no answer came; running again is safe)"
		case e.unclear:
			return msg + " (no answer came: the request may have been carried out; " +
				"running again is safe, hatchery looks before it repeats)"
		}
		return msg
	}
	if e.Message == "" {
		return fmt.Sprintf("%s: %d %s", e.Op, e.Status, http.StatusText(e.Status))
	}
	return fmt.Sprintf("%s: %d %s: %s", e.Op, e.Status, http.StatusText(e.Status), e.Message)
}

// read reports whether the request only read: a GET or HEAD.
func (e *Error) read() bool {
	var we *wireError
	return errors.As(e.err, &we) && (we.method == http.MethodGet || we.method == http.MethodHead)
}

// ErrorCode returns the OAuth error GitLab named for a failed operation
// ("invalid_token", "insufficient_scope"), or "".
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// cause renders err without the method and url that net/http puts first:
// the operation already says what was asked.
func cause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// Unwrap returns the cause: a client-go, transport or context error.
func (e *Error) Unwrap() error { return e.err }

// StatusCode returns the HTTP status of GitLab's answer to a failed
// operation, or 0 when err carries none (no answer came, or err is not from
// this package).
func StatusCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// IsNotFound reports whether GitLab answered 404.
func IsNotFound(err error) bool { return StatusCode(err) == http.StatusNotFound }

// Unclear reports whether the server may have acted on a failed request
// despite the error: the request was sent and no answer came (a timeout, a
// dropped connection), the answer was a 5xx, or a success could not be read.
// When Unclear is false the server surely did not act: it refused with a
// 4xx, or the request never left this machine. Before repeating a POST after
// an unclear failure, look for the object it would have made.
func Unclear(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.unclear
}

// maxMessage bounds GitLab's message in an error: a proxy in front of
// GitLab may answer with a whole HTML page.
const maxMessage = 200

// wrap turns an error from client-go into an *Error for op.
func wrap(op string, resp *gl.Response, err error) error {
	if err == nil {
		return nil
	}
	e := &Error{Op: op, err: err}
	var er *gl.ErrorResponse
	if errors.As(err, &er) {
		e.Status = er.StatusCode
		e.Message, e.Code = message(er)
	}
	if resp != nil && resp.Response != nil {
		e.Status = resp.StatusCode
	}
	e.explain(er)
	var we *wireError
	switch {
	case e.Status >= 500:
		e.unclear = true
	case e.Status >= 400:
		e.unclear = false
	case e.Status != 0: // an answer we could not use, even a success
		e.unclear = true
	case errors.As(err, &we):
		e.unclear = we.written
	}
	return e
}

// unparsed is how client-go starts the message of an answer whose body is
// not JSON, such as the plain "Retry later" of a 429.
const unparsed = "failed to parse unknown error format: "

// message picks GitLab's own words out of an error answer: the "message"
// string of its JSON body, or the "error_description" of an OAuth error
// ("Token is expired…") with the "error" as its code, else client-go's
// rendering, or the body itself when it is not JSON. A message that only
// repeats the status says nothing.
func message(er *gl.ErrorResponse) (msg, code string) {
	msg = strings.TrimPrefix(er.Message, unparsed)
	var body struct {
		Message     any    `json:"message"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(er.Body, &body) == nil {
		code = body.Error
		if s, ok := body.Message.(string); ok && s != "" {
			msg = s
		} else if body.Description != "" {
			msg = body.Error + ": " + body.Description
		} else if body.Error != "" {
			msg = body.Error
		}
	}
	return shorten(msg, er.StatusCode), code
}

// shorten cuts msg to one line of at most maxMessage bytes and drops what
// only repeats the status.
func shorten(msg string, statusCode int) string {
	msg = strings.Join(strings.Fields(msg), " ")
	status := http.StatusText(statusCode)
	line := fmt.Sprintf("%d %s", statusCode, status)
	if strings.EqualFold(msg, status) || strings.EqualFold(msg, line) {
		return ""
	}
	// GitLab often repeats the status first: "400 Bad request - Maximum …".
	if len(msg) > len(line)+3 && strings.EqualFold(msg[:len(line)], line) &&
		msg[len(line):len(line)+3] == " - " {
		msg = msg[len(line)+3:]
	}
	if len(msg) > maxMessage {
		cut := 0
		for i := range msg {
			if i > maxMessage {
				break
			}
			cut = i
		}
		msg = msg[:cut] + "…"
	}
	return msg
}

// explain words the answers whose bodies say little: a 429 says how long
// GitLab asked to wait, a 502, 503 or 504 that GitLab is unavailable.
func (e *Error) explain(er *gl.ErrorResponse) {
	switch e.Status {
	case http.StatusTooManyRequests:
		if er != nil && er.Response != nil {
			e.RetryAfter = retryAfter(er.Response.Header)
		}
		e.Message = "GitLab's rate limit: run again later"
		if e.RetryAfter > 0 {
			e.Message = fmt.Sprintf("GitLab's rate limit asked to wait %s; run again "+
				"after that", e.RetryAfter)
		}
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if er != nil && json.Valid(er.Body) && e.Message != "" {
			return // GitLab's own words
		}
		e.Message = "GitLab is unavailable (down for maintenance or overloaded); " +
			"run again later"
	}
}

// retryAfter reads the wait a 429 asks for: Retry-After in seconds.
func retryAfter(h http.Header) time.Duration {
	secs, err := strconv.ParseInt(h.Get("Retry-After"), 10, 64)
	if err != nil || secs <= 0 {
		return 0
	}
	return time.Duration(min(secs, 1<<32)) * time.Second
}

package gitlab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	gl "gitlab.com/gitlab-org/api/client-go/v2"
)

func TestErrorText(t *testing.T) {
	html := "<html><body>" + strings.Repeat("bad gateway ", 40) + "</body></html>"
	tests := []struct {
		name    string
		err     error
		want    string
		unclear bool
	}{
		{"not found", gl.ErrNotFound, "get project 5: 404 Not Found", false},
		{"message", &gl.ErrorResponse{StatusCode: 403, Body: []byte(`{"message":"nope"}`)},
			"get project 5: 403 Forbidden: nope", false},
		{"message repeats the status", &gl.ErrorResponse{StatusCode: 401,
			Body: []byte(`{"message":"401 Unauthorized"}`)},
			"get project 5: 401 Unauthorized", false},
		{"status first", &gl.ErrorResponse{StatusCode: 409,
			Body: []byte(`{"message":"409 Conflict - Hook already exists"}`)},
			"get project 5: 409 Conflict: Hook already exists", false},
		{"oauth error", &gl.ErrorResponse{StatusCode: 401,
			Body: []byte(`{"error":"invalid_token"}`)},
			"get project 5: 401 Unauthorized: invalid_token", false},
		{"field errors", &gl.ErrorResponse{StatusCode: 400,
			Body:    []byte(`{"message":{"url":["is blocked"]}}`),
			Message: "{message: {url: [is blocked]}}"},
			"get project 5: 400 Bad Request: {message: {url: [is blocked]}}", false},
		{"html page is cut", &gl.ErrorResponse{StatusCode: 500, Message: unparsed + html},
			"get project 5: 500 Internal Server Error: " + html[:maxMessage] + "…", true},
		{"expired token", &gl.ErrorResponse{StatusCode: 401, Body: []byte(
			`{"error":"invalid_token","error_description":"Token is expired. You can ` +
				`either do re-authorization or token refresh."}`)},
			"get project 5: 401 Unauthorized: invalid_token: Token is expired. You can " +
				"either do re-authorization or token refresh.", false},
		{"rate limited", &gl.ErrorResponse{StatusCode: 429, Body: []byte("Retry later\n"),
			Message:  unparsed + "Retry later\n",
			Response: &http.Response{Header: http.Header{"Retry-After": {"120"}}}},
			"get project 5: 429 Too Many Requests: GitLab's rate limit asked to wait 2m0s; " +
				"run again after that", false},
		{"unavailable behind a proxy", &gl.ErrorResponse{StatusCode: 502,
			Message: unparsed + html, Body: []byte(html)},
			"get project 5: 502 Bad Gateway: GitLab is unavailable (down for maintenance " +
				"or overloaded); run again later", true},
		{"unavailable", &gl.ErrorResponse{StatusCode: 503, Message: unparsed + "busy"},
			"get project 5: 503 Service Unavailable: GitLab is unavailable (down for " +
				"maintenance or overloaded); run again later", true},
		{"unavailable in GitLab's words", &gl.ErrorResponse{StatusCode: 503,
			Body: []byte(`{"message":"Deploy in progress"}`)},
			"get project 5: 503 Service Unavailable: Deploy in progress", true},
		{"no answer to a read", &wireError{method: "GET", written: true, err: errors.New("EOF")},
			"get project 5: EOF (no answer came; running again is safe)", true},
		{"no answer", &wireError{method: "POST", written: true, err: errors.New("EOF")},
			"get project 5: EOF (no answer came: the request may have been carried out; " +
				"running again is safe, hatchery looks before it repeats)", true},
		{"never sent", &wireError{err: errors.New("connection refused")},
			"get project 5: connection refused", false},
		{"context", context.Canceled, "get project 5: context canceled", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := wrap("get project 5", nil, tc.err)
			if err.Error() != tc.want {
				t.Errorf("error =\n %s\nwant\n %s", err, tc.want)
			}
			if Unclear(err) != tc.unclear {
				t.Errorf("Unclear = %v, want %v", Unclear(err), tc.unclear)
			}
			if !errors.Is(err, tc.err) {
				t.Error("the cause is not kept")
			}
		})
	}
	if StatusCode(fmt.Errorf("plain")) != 0 || Unclear(nil) || wrap("x", nil, nil) != nil {
		t.Error("errors from elsewhere must have no status and be clear")
	}
}

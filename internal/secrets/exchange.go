package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/yandex-cloud/go-sdk/v2/credentials"
)

// The RFC 8693 values of a workload identity federation exchange.
const (
	grantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	tokenTypeAccess    = "urn:ietf:params:oauth:token-type:access_token"
	tokenTypeID        = "urn:ietf:params:oauth:token-type:id_token"
)

// DefaultTokenURL is Yandex Cloud's token exchange endpoint.
const DefaultTokenURL = "https://auth.yandex.cloud/oauth/token"

// exchangeTimeout bounds one exchange request; a variable so that tests
// need not wait for it.
var exchangeTimeout = 30 * time.Second

// exchange is credentials that trade a CI id token for IAM tokens and keep
// each one until shortly before it expires.
type exchange struct {
	url, idToken, serviceAccount string
	tokenVar                     string // the variable that held the id token
	client                       *http.Client

	mu      sync.Mutex
	token   string
	expires time.Time
}

func newExchange(tokenURL, tokenVar, idToken, serviceAccount string) *exchange {
	return &exchange{url: tokenURL, tokenVar: tokenVar, idToken: idToken,
		serviceAccount: serviceAccount, client: &http.Client{Timeout: exchangeTimeout}}
}

// YandexCloudAPICredentials marks exchange as SDK credentials.
func (x *exchange) YandexCloudAPICredentials() {}

// IAMToken returns a valid IAM token, exchanging the id token when the one
// kept is missing or about to expire. An exchange that answers as
// unavailable is asked again until the context's deadline.
func (x *exchange) IAMToken(ctx context.Context) (*credentials.CredentialsToken, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.token != "" && time.Until(x.expires) > 5*time.Minute {
		return &credentials.CredentialsToken{Token: x.token, ExpiresAt: x.expires}, nil
	}
	ctx, cancel := retryDeadline(ctx)
	defer cancel()
	tok, ttl, err := x.exchange(ctx)
	for tries := 1; err != nil && err.again(); tries++ {
		delay := min(time.Duration(tries)*500*time.Millisecond, 5*time.Second)
		if dl, _ := ctx.Deadline(); time.Until(dl) < delay {
			break
		}
		time.Sleep(delay)
		tok, ttl, err = x.exchange(ctx)
		err.setTries(tries + 1)
	}
	if err != nil {
		return nil, err
	}
	x.token, x.expires = tok, time.Now().Add(ttl)
	return &credentials.CredentialsToken{Token: x.token, ExpiresAt: x.expires}, nil
}

type exchangeAnswer struct {
	AccessToken     string `json:"access_token"`
	IssuedTokenType string `json:"issued_token_type"`
	ExpiresIn       int64  `json:"expires_in"`
	Error           string `json:"error"`
	Description     string `json:"error_description"`
}

// exchangeError is a failed exchange: either no answer (err) or an answer
// that holds no token (status, and the OAuth error when there is one).
type exchangeError struct {
	url, account string
	status       string // "503 Service Unavailable"; "" when nothing answered
	code         int
	oauth, desc  string // the answer's error and error_description
	err          error  // what went wrong on the way, when nothing answered
	tries        int
}

func (e *exchangeError) Error() string {
	what := "exchange the id token for an IAM token of service account " + e.account +
		" at " + e.url
	switch {
	case e.err != nil:
		return what + ": " + e.err.Error()
	case e.oauth != "":
		return what + ": " + e.status + ": " + e.oauth + ": " + e.desc
	}
	return what + ": " + e.status
}

// again reports whether the exchange said it is unavailable for now.
func (e *exchangeError) again() bool {
	return e != nil && (e.code == http.StatusTooManyRequests || e.code == http.StatusBadGateway ||
		e.code == http.StatusServiceUnavailable || e.code == http.StatusGatewayTimeout ||
		e.code == http.StatusInternalServerError)
}

func (e *exchangeError) setTries(n int) {
	if e != nil {
		e.tries = n
	}
}

// advice says what happened to the exchange and what to do about it.
func (e *exchangeError) advice(cc *cloudCreds) string {
	at := "the token exchange at " + e.url
	var ne net.Error
	switch {
	case errors.Is(e.err, syscall.ECONNREFUSED):
		return fmt.Sprintf("could not reach %s: connection refused; check %s (leave it unset "+
			"for Yandex Cloud's own) and that the job may reach it", at, EnvTokenURL)
	case errors.Is(e.err, context.DeadlineExceeded) || errors.As(e.err, &ne) && ne.Timeout():
		return fmt.Sprintf("%s did not answer in time (%s a try, within the deadline): "+
			"check that the job may reach it (a proxy or firewall), then run again",
			at, exchangeTimeout)
	case e.err != nil:
		return fmt.Sprintf("could not reach %s: %v", at, e.err)
	case e.again():
		n := ""
		if e.tries > 1 {
			n = fmt.Sprintf(", %d times", e.tries)
		}
		return fmt.Sprintf("%s answered %s%s: Yandex Cloud's sign-in is unavailable for now; "+
			"run the job again later", at, e.status, n)
	case e.oauth == "invalid_grant":
		return fmt.Sprintf("%s refused the id token in %s for service account %s "+
			"(invalid_grant: %s): check that the service account has a federated "+
			"credential whose federation trusts this GitLab's issuer and whose subject is "+
			"this job's (the id token's sub claim), and that the id token's aud is the "+
			"federation's audience", at, cc.tokenVar, e.account, e.desc)
	case e.oauth != "":
		return fmt.Sprintf("%s refused the request: %s: %s: %s", at, e.status, e.oauth, e.desc)
	}
	return fmt.Sprintf("%s answered %s without a token", at, e.status)
}

func (x *exchange) exchange(ctx context.Context) (string, time.Duration, *exchangeError) {
	fail := &exchangeError{url: x.url, account: x.serviceAccount, tries: 1}
	form := url.Values{
		"grant_type":           {grantTokenExchange},
		"requested_token_type": {tokenTypeAccess},
		"audience":             {x.serviceAccount},
		"subject_token":        {x.idToken},
		"subject_token_type":   {tokenTypeID},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, x.url,
		strings.NewReader(form.Encode()))
	if err != nil {
		fail.err = err
		return "", 0, fail
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := x.client.Do(req)
	if err != nil {
		fail.err = unwrapURL(err)
		return "", 0, fail
	}
	defer resp.Body.Close()
	fail.status, fail.code = resp.Status, resp.StatusCode
	var a exchangeAnswer
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(data, &a)
	}
	switch {
	case resp.StatusCode != http.StatusOK:
		fail.oauth, fail.desc = a.Error, a.Description
		return "", 0, fail
	case err != nil:
		fail.err = fmt.Errorf("read the answer: %w", err)
		return "", 0, fail
	case a.AccessToken == "":
		fail.err = errors.New("the answer holds no access_token")
		return "", 0, fail
	}
	ttl := time.Duration(a.ExpiresIn) * time.Second
	if ttl <= 0 {
		ttl = time.Hour
	}
	return a.AccessToken, ttl, nil
}

// unwrapURL drops net/http's "Post URL:" prefix: the message names the URL.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

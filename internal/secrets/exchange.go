package secrets

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
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

// exchange is credentials that trade a CI id token for IAM tokens and keep
// each one until shortly before it expires.
type exchange struct {
	url, idToken, serviceAccount string
	client                       *http.Client

	mu      sync.Mutex
	token   string
	expires time.Time
}

func newExchange(tokenURL, idToken, serviceAccount string) *exchange {
	return &exchange{url: tokenURL, idToken: idToken, serviceAccount: serviceAccount,
		client: &http.Client{Timeout: 30 * time.Second}}
}

// YandexCloudAPICredentials marks exchange as SDK credentials.
func (x *exchange) YandexCloudAPICredentials() {}

// IAMToken returns a valid IAM token, exchanging the id token when the one
// kept is missing or about to expire.
func (x *exchange) IAMToken(ctx context.Context) (*credentials.CredentialsToken, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.token != "" && time.Until(x.expires) > 5*time.Minute {
		return &credentials.CredentialsToken{Token: x.token, ExpiresAt: x.expires}, nil
	}
	tok, ttl, err := x.exchange(ctx)
	if err != nil {
		return nil, fmt.Errorf("exchange the id token for an IAM token of service account "+
			"%s at %s: %w", x.serviceAccount, x.url, err)
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

func (x *exchange) exchange(ctx context.Context) (string, time.Duration, error) {
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
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := x.client.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	var a exchangeAnswer
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(data, &a)
	}
	switch {
	case resp.StatusCode != http.StatusOK && a.Error != "":
		return "", 0, fmt.Errorf("%s: %s: %s", resp.Status, a.Error, a.Description)
	case resp.StatusCode != http.StatusOK:
		return "", 0, fmt.Errorf("%s", resp.Status)
	case err != nil:
		return "", 0, fmt.Errorf("read the answer: %w", err)
	case a.AccessToken == "":
		return "", 0, fmt.Errorf("the answer holds no access_token")
	}
	ttl := time.Duration(a.ExpiresIn) * time.Second
	if ttl <= 0 {
		ttl = time.Hour
	}
	return a.AccessToken, ttl, nil
}

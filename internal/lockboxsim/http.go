package lockboxsim

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
)

// The RFC 8693 values that workload identity federation requires.
const (
	GrantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	TokenTypeAccess    = "urn:ietf:params:oauth:token-type:access_token"
	TokenTypeID        = "urn:ietf:params:oauth:token-type:id_token"
)

// Exchange is one logged token exchange request: its form, less the token.
type Exchange struct {
	GrantType          string
	RequestedTokenType string
	SubjectTokenType   string
	Audience           string
	SubjectKnown       bool // the subject token was one the simulator issued
	Status             int
}

// String returns the fields one to a line, as scripts compare them.
func (e Exchange) String() string {
	return fmt.Sprintf("grant_type=%s\nrequested_token_type=%s\nsubject_token_type=%s\n"+
		"audience=%s\nsubject_token_known=%t\nstatus=%d",
		e.GrantType, e.RequestedTokenType, e.SubjectTokenType, e.Audience, e.SubjectKnown,
		e.Status)
}

// Exchanges returns the token exchange log.
func (s *Server) Exchanges() []Exchange {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.exchange)
}

func (s *Server) httpHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token", s.tokenExchange)
	mux.HandleFunc("GET /computeMetadata/v1/instance/service-accounts/default/token",
		s.metadataToken)
	return mux
}

// tokenExchange answers an RFC 8693 request: an id token registered with
// AddIDToken, for the service account it was registered with, becomes an
// IAM token of that service account.
func (s *Server) tokenExchange(w http.ResponseWriter, r *http.Request) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		oauthError(w, http.StatusBadRequest, "invalid_request",
			"the body must be application/x-www-form-urlencoded")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "unreadable form")
		return
	}
	f := r.PostForm
	s.mu.Lock()
	sa, known := s.idTokens[f.Get("subject_token")]
	s.mu.Unlock()
	e := Exchange{GrantType: f.Get("grant_type"), RequestedTokenType: f.Get("requested_token_type"),
		SubjectTokenType: f.Get("subject_token_type"), Audience: f.Get("audience"),
		SubjectKnown: known}
	code, kind, msg := http.StatusOK, "", ""
	switch {
	case e.GrantType != GrantTokenExchange:
		code, kind, msg = http.StatusBadRequest, "unsupported_grant_type", "grant_type"
	case e.RequestedTokenType != TokenTypeAccess:
		code, kind, msg = http.StatusBadRequest, "invalid_request", "requested_token_type"
	case e.SubjectTokenType != TokenTypeID:
		code, kind, msg = http.StatusBadRequest, "invalid_request", "subject_token_type"
	case e.Audience == "":
		code, kind, msg = http.StatusBadRequest, "invalid_request", "audience is required"
	case !known:
		code, kind, msg = http.StatusBadRequest, "invalid_grant", "subject_token is not valid"
	case sa != e.Audience:
		code, kind, msg = http.StatusBadRequest, "invalid_grant",
			"no federated credential binds this token to service account "+e.Audience
	}
	e.Status = code
	s.mu.Lock()
	s.exchange = append(s.exchange, e)
	var tok string
	if code == http.StatusOK {
		tok = s.issue(sa)
	}
	s.mu.Unlock()
	if code != http.StatusOK {
		oauthError(w, code, kind, msg)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok,
		"issued_token_type": TokenTypeAccess, "token_type": "Bearer",
		"expires_in": int(tokenLifetime.Seconds())})
}

func oauthError(w http.ResponseWriter, code int, kind, desc string) {
	writeJSON(w, code, map[string]string{"error": kind, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// metadataToken is the VM metadata service's token of the VM's service
// account, as Compute Engine's compatible API serves it.
func (s *Server) metadataToken(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Metadata-Flavor") != "Google" {
		http.Error(w, "Missing Metadata-Flavor:Google header", http.StatusForbidden)
		return
	}
	s.mu.Lock()
	sa := s.metaSA
	var tok string
	if sa != "" {
		tok = s.issue(sa)
	}
	s.mu.Unlock()
	if sa == "" {
		http.Error(w, "no service account", http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok,
		"expires_in": int(tokenLifetime.Seconds()), "token_type": "Bearer"})
}

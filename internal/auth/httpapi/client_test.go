package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/slotwise/slotwise/internal/app/apptest"
	web "github.com/slotwise/slotwise/internal/httpapi"
)

// response is what a test request got back.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// decode decodes the body into v.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("body %s: %v", r.Body, err)
	}
}

// errorBody returns the JSON error of the response.
func (r response) errorBody(t *testing.T) web.ErrorDetail {
	t.Helper()
	var e web.ErrorBody
	r.decode(t, &e)
	return e.Error
}

// call sends a request to the App; body is a raw JSON string, []byte, or a
// value to marshal (nil for none); token is the bearer token ("" none).
func call(t *testing.T, h *apptest.Harness, method, path, token string, body any) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, h.BaseURL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read: %v", method, path, err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

func expect(t *testing.T, what string, r response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d; body %s", what, r.Status, status, r.Body)
	}
}

// session is the JSON of register, login and refresh.
type session struct {
	User struct {
		ID, Email, FirstName, LastName, Role, CreatedAt string
	} `json:"user"`
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	TokenType    string `json:"tokenType"`
	ExpiresIn    int    `json:"expiresIn"`
}

const password = "correct horse"

func register(t *testing.T, h *apptest.Harness, email, role string) session {
	t.Helper()
	r := call(t, h, "POST", "/api/v1/auth/register", "", map[string]string{
		"email": email, "password": password, "firstName": "Ada", "lastName": "Lovelace", "role": role})
	expect(t, "register "+email, r, http.StatusCreated)
	var s session
	r.decode(t, &s)
	return s
}

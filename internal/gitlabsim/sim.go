package gitlabsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The simulator's own endpoints, for black-box tests. They need no token,
// pass no knob and are not logged:
//
//	GET    /-/sim/world            the world as JSON, secrets hashed
//	GET    /-/sim/requests         the request log, "METHOD ROUTE STATUS" lines
//	DELETE /-/sim/requests         empty the log
//	DELETE /-/sim/runners/ID       delete a runner by hand
//	PUT    /-/sim/runners/ID       change a runner: {"tag_list": [...], "paused": true, ...}
//	DELETE /-/sim/hooks/ID         delete a hook by hand
//	PUT    /-/sim/hooks/ID         {"token": "..."} sets, {"token": ""} clears its token
//	POST   /-/sim/faults           add a Fault: {"method": "POST", "route": "/user/runners"}
//	DELETE /-/sim/faults           remove every fault
//	PUT    /-/sim/latency          {"latency": "50ms"}
//	PUT    /-/sim/rate-limit       {"limit": 10, "window": "1s"}
const simPrefix = "/-/sim/"

func (s *Server) serveSim(rw http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, simPrefix), "/"), "/")
	key := r.Method + " " + parts[0]
	var rep *reply
	switch {
	case key == "GET world":
		rep = s.simWorld()
	case key == "GET requests":
		rep = s.simRequests(r)
	case key == "DELETE requests":
		s.ResetRequests()
		rep = noContent()
	case parts[0] == "runners" && len(parts) == 2:
		rep = s.simRunner(r, parts[1])
	case parts[0] == "hooks" && len(parts) == 2:
		rep = s.simHook(r, parts[1])
	default:
		rep = s.simKnob(r, key)
	}
	rep.write(rw)
}

func (s *Server) simWorld() *reply {
	var data []byte
	var err error
	s.View(func(w *World) { data, err = w.Dump() })
	if err != nil {
		return apiError(http.StatusInternalServerError, err.Error())
	}
	return &reply{status: http.StatusOK, raw: append(data, '\n')}
}

func (s *Server) simRequests(r *http.Request) *reply {
	reqs := s.Requests()
	if r.URL.Query().Get("format") == "json" {
		return jsonReply(http.StatusOK, reqs)
	}
	var b strings.Builder
	for _, q := range reqs {
		fmt.Fprintln(&b, q.String())
	}
	return &reply{status: http.StatusOK, raw: []byte(b.String()),
		header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}}
}

// simTarget reads the id of the runner or hook a /-/sim/ request names and
// the request's JSON body.
func simTarget(r *http.Request, id string) (int64, params, *reply) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return 0, nil, grapeError(http.StatusBadRequest, "id is invalid")
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return 0, nil, grapeError(http.StatusBadRequest, err.Error())
	}
	ps := params{}
	if len(strings.TrimSpace(string(data))) == 0 {
		return n, ps, nil
	}
	if err := json.Unmarshal(data, &ps); err != nil {
		return 0, nil, grapeError(http.StatusBadRequest, fmt.Sprintf("body: %v", err))
	}
	return n, ps, nil
}

func (s *Server) simRunner(r *http.Request, id string) *reply {
	n, ps, rep := simTarget(r, id)
	if rep != nil {
		return rep
	}
	rep = notFound("Runner")
	s.Update(func(w *World) {
		runner := w.runners[n]
		switch {
		case runner == nil:
		case r.Method == http.MethodDelete:
			w.DeleteRunner(n)
			rep = noContent()
		case r.Method == http.MethodPut:
			d := &decoder{ps: ps}
			spec := readRunnerSpec(d)
			if rep = d.bad(); rep == nil { // a refused change leaves the runner as it was
				spec.apply(runner)
				rep = jsonReply(http.StatusOK, dumpRunnerOf(runner))
			}
		default:
			rep = grapeError(http.StatusMethodNotAllowed, "405 Not Allowed")
		}
	})
	return rep
}

func (s *Server) simHook(r *http.Request, id string) *reply {
	n, ps, rep := simTarget(r, id)
	if rep != nil {
		return rep
	}
	rep = recordNotFound()
	s.Update(func(w *World) {
		h := w.hooks[n]
		switch {
		case h == nil:
		case r.Method == http.MethodDelete:
			w.DeleteHook(n)
			rep = noContent()
		case r.Method == http.MethodPut:
			if t, ok := ps["token"].(string); ok {
				h.token = t
			}
			if u, ok := ps["url"].(string); ok {
				h.URL = u
			}
			rep = jsonReply(http.StatusOK, dumpHooks([]*Hook{h})[0])
		default:
			rep = grapeError(http.StatusMethodNotAllowed, "405 Not Allowed")
		}
	})
	return rep
}

func (s *Server) simKnob(r *http.Request, key string) *reply {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return grapeError(http.StatusBadRequest, err.Error())
	}
	switch key {
	case "POST faults":
		var f Fault
		if err := json.Unmarshal(data, &f); err != nil {
			return grapeError(http.StatusBadRequest, err.Error())
		}
		s.AddFault(f)
	case "DELETE faults":
		s.ClearFaults()
	case "PUT latency":
		var v struct{ Latency string }
		d, err := parseKnob(data, &v, func() string { return v.Latency })
		if err != nil {
			return grapeError(http.StatusBadRequest, err.Error())
		}
		s.SetLatency(d)
	case "PUT rate-limit":
		var v struct {
			Limit  int
			Window string
		}
		d, err := parseKnob(data, &v, func() string { return v.Window })
		if err != nil {
			return grapeError(http.StatusBadRequest, err.Error())
		}
		s.SetRateLimit(v.Limit, d)
	default:
		return grapeError(http.StatusNotFound, "404 Not Found")
	}
	return noContent()
}

// parseKnob decodes a knob body into v and parses the duration dur names.
func parseKnob(data []byte, v any, dur func() string) (time.Duration, error) {
	if err := json.Unmarshal(data, v); err != nil {
		return 0, err
	}
	if dur() == "" {
		return 0, nil
	}
	return time.ParseDuration(dur())
}

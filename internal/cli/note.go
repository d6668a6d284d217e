package cli

// plan --mr-note posts the plan on the merge request of the pipeline it
// runs in, or edits the note it posted before. A note is found by a hidden
// marker that names the nest's directory, so two nests of one repository
// keep a note each. The note is a courtesy: when it cannot be written the
// job says why and the plan's exit code is what it would have been.

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"gitlab.com/hatchery/hatchery/internal/gitlab"
	"gitlab.com/hatchery/hatchery/internal/plan"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// noteTokenVar holds a token that may write notes, ahead of the store.
const noteTokenVar = "HATCHERY_NOTE_TOKEN"

// mrPipeline is what GitLab tells a merge request pipeline's job.
type mrPipeline struct {
	apiURL, host, jobURL, commit string
	// project is the merge request's project, which iid numbers within:
	// the target project, even when the pipeline runs in a fork.
	project, iid int64
}

// mrPipelineFrom reads the predefined CI variables; it fails, naming the
// first that is missing, outside a merge request pipeline. The project is
// CI_MERGE_REQUEST_PROJECT_ID, else CI_PROJECT_ID: a pipeline that runs in
// a fork has the fork as CI_PROJECT_ID.
func mrPipelineFrom(getenv func(string) string) (*mrPipeline, error) {
	m := &mrPipeline{apiURL: getenv("CI_API_V4_URL"), host: getenv("CI_SERVER_HOST"),
		jobURL: getenv("CI_JOB_URL"), commit: getenv("CI_COMMIT_SHORT_SHA")}
	projectVar := "CI_MERGE_REQUEST_PROJECT_ID"
	if getenv(projectVar) == "" {
		projectVar = "CI_PROJECT_ID"
	}
	for _, v := range []struct {
		name string
		dst  *int64
	}{{projectVar, &m.project}, {"CI_MERGE_REQUEST_IID", &m.iid}} {
		raw := getenv(v.name)
		if raw == "" && v.name == "CI_MERGE_REQUEST_IID" {
			return nil, fmt.Errorf("%s is not set: this is not a merge request pipeline", v.name)
		}
		if raw == "" {
			return nil, fmt.Errorf("%s is not set", v.name)
		}
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%s=%q is not a positive number", v.name, raw)
		}
		*v.dst = n
	}
	if m.apiURL == "" {
		return nil, errors.New("CI_API_V4_URL is not set")
	}
	if m.host == "" {
		return nil, errors.New("CI_SERVER_HOST is not set")
	}
	return m, nil
}

// noteMarker is the hidden first line of the note of the nest in dir; a
// ">" in the name is escaped so that the comment cannot end early.
func noteMarker(dir string) string {
	return fmt.Sprintf("<!-- hatchery:plan nest=%s -->", strings.ReplaceAll(dir, ">", "%3E"))
}

// nestName is the nest's directory as the note names it: relative to the
// checkout (CI_PROJECT_DIR) where it can be, with forward slashes.
func nestName(env *Env, dir string) string {
	dir = filepath.Clean(dir)
	if root := env.Getenv("CI_PROJECT_DIR"); root != "" && filepath.IsAbs(dir) {
		if rel, err := filepath.Rel(root, dir); err == nil && !strings.HasPrefix(rel, "..") {
			dir = rel
		}
	}
	return path.Clean(filepath.ToSlash(dir))
}

// errNoNoteToken says that no token able to write notes was found.
var errNoNoteToken = errors.New("no token can write the note")

// postNote writes the plan's note; every failure is a warning on stderr.
func postNote(ctx context.Context, s *session, p *plan.Plan, dir string) {
	env := s.env
	if err := writeNote(ctx, s, p, dir); err != nil {
		fmt.Fprintf(env.Stderr, "hatchery: warning: no merge request note: %v\n", err)
		var h *hintError
		if errors.As(err, &h) {
			fmt.Fprintf(env.Stderr, "hatchery: hint: %s\n", h.hint)
		}
		fmt.Fprintf(env.Stderr, "hatchery: hint: the plan is in the job log and its artifacts\n")
	}
}

func writeNote(ctx context.Context, s *session, p *plan.Plan, dir string) error {
	env := s.env
	mr, err := mrPipelineFrom(env.Getenv)
	if err != nil {
		return err
	}
	token, from, err := noteToken(ctx, s, mr.host)
	if err != nil {
		return err
	}
	pool := gitlab.NewPool(gitlab.Config{ServerURLs: map[string]string{mr.host: mr.apiURL},
		Overrides: s.overrides, Logger: env.Logger, Notify: env.notifier()})
	c, err := pool.Client(mr.host, token)
	if err != nil {
		return err
	}
	name := nestName(env, dir)
	marker := noteMarker(name)
	body := marker + "\n" + noteBody(p, mr, name, plan.NoteLimit-len([]rune(marker))-1)
	body = env.Redactor.Mask(body)

	id, err := findNote(ctx, c, mr, marker)
	if err != nil {
		return noteAccess(err, mr, from)
	}
	if id == 0 {
		n, err := c.CreateMergeRequestNote(ctx, mr.project, mr.iid, body)
		if err != nil {
			return noteAccess(err, mr, from)
		}
		fmt.Fprintf(env.Stderr, "hatchery: posted the plan as note %d on !%d\n", n.ID, mr.iid)
		return nil
	}
	if _, err := c.EditMergeRequestNote(ctx, mr.project, mr.iid, id, body); err != nil {
		return noteAccess(err, mr, from)
	}
	fmt.Fprintf(env.Stderr, "hatchery: updated the plan in note %d on !%d\n", id, mr.iid)
	return nil
}

// noteBody is the plan in Markdown, with the commit and the job.
func noteBody(p *plan.Plan, mr *mrPipeline, nest string, limit int) string {
	var lead []string
	if mr.commit != "" {
		lead = append(lead, fmt.Sprintf("Planned at commit %s.", mdInline(mr.commit)))
	}
	full := "the job's artifacts"
	if mr.jobURL != "" {
		lead = append(lead, fmt.Sprintf("Job: %s", mr.jobURL))
		full = fmt.Sprintf("[the job's artifacts](%s/artifacts/browse)", mr.jobURL)
	}
	return p.Markdown(plan.MarkdownOptions{
		Title: "hatchery plan for " + mdInline(nest), Lead: lead, FullPlan: full, Limit: limit})
}

func mdInline(s string) string {
	return "`" + strings.ReplaceAll(s, "`", "'") + "`"
}

// findNote returns the id of the newest note with the marker that the
// token's user wrote, 0 when there is none: only its author may edit a
// note.
func findNote(ctx context.Context, c *gitlab.Client, mr *mrPipeline,
	marker string) (int64, error) {
	me, err := c.CurrentUser(ctx)
	if err != nil {
		return 0, err
	}
	notes, err := c.MergeRequestNotes(ctx, mr.project, mr.iid)
	if err != nil {
		return 0, err
	}
	var id int64
	for _, n := range notes {
		if !n.System && n.Author == me.Username && strings.HasPrefix(n.Body, marker+"\n") {
			id = n.ID
		}
	}
	return id, nil
}

// noteToken is HATCHERY_NOTE_TOKEN, else the nest's note token in the
// secret store, and where it came from. CI_JOB_TOKEN cannot write notes,
// so it is never tried, nor sent when HATCHERY_NOTE_TOKEN holds it.
func noteToken(ctx context.Context, s *session, host string) (token string, from noteSource,
	err error) {
	unit := secrets.Unit{Server: host, Egg: plan.NoteTokenEgg}
	from = noteSource{path: unit.Path(secrets.APIToken)}
	if t := s.env.Getenv(noteTokenVar); t != "" {
		s.env.Redactor.Add(t)
		if isJobToken(t, s.env.Getenv("CI_JOB_TOKEN")) {
			return "", from, withHint(fmt.Errorf("%s holds a CI job token, and a job token "+
				"cannot write notes", noteTokenVar), "set %s to a project, group or personal "+
				"access token with the api scope whose user may comment on the merge request, "+
				"or unset it and run: hatchery secrets set %s < token.txt", noteTokenVar, from.path)
		}
		from.env = true
		return t, from, nil
	}
	rec, err := s.store.Read(ctx, from.path.Unit)
	if err != nil && !errors.Is(err, secrets.ErrNotFound) {
		return "", from, fmt.Errorf("read the note token at %s: %w", from.path, err)
	}
	if rec != nil {
		for _, v := range rec.Values {
			s.env.Redactor.Add(v)
		}
		if t := rec.Values[secrets.APIToken]; t != "" {
			return t, from, nil
		}
	}
	return "", from, withHint(fmt.Errorf("%w: %s is not set and there is no secret at %s "+
		"(CI_JOB_TOKEN cannot write notes)", errNoNoteToken, noteTokenVar, from.path),
		"give the job a token with the api scope that may comment on the merge request: "+
			"set %s, or run: hatchery secrets set %s < token.txt", noteTokenVar, from.path)
}

// noteSource says where the note token came from: HATCHERY_NOTE_TOKEN, or
// the secret at path.
type noteSource struct {
	env  bool
	path secrets.Path
}

// isJobToken reports whether t is a CI/CD job token: the job's own
// CI_JOB_TOKEN, or a token with GitLab's job token prefix glcbt-, which
// an instance may put its own prefix before.
func isJobToken(t, jobToken string) bool {
	return t == jobToken || strings.HasPrefix(t, "glcbt-") || strings.Contains(t, "-glcbt-")
}

// noteAccess explains a refusal: GitLab did not accept the token (401), or
// the token cannot see or comment on the merge request.
func noteAccess(err error, mr *mrPipeline, from noteSource) error {
	switch gitlab.StatusCode(err) {
	case 401:
		if from.env {
			return withHint(err, "GitLab did not accept the note token from %s: it is "+
				"unknown, expired or revoked; make a new one with the api scope and set %s "+
				"to it", noteTokenVar, noteTokenVar)
		}
		return withHint(err, "GitLab did not accept the note token from %s: it is unknown, "+
			"expired or revoked; make a new one with the api scope and store it: "+
			"hatchery secrets set %s < token.txt", from.path, from.path)
	case 403, 404:
		return withHint(err, "the note token needs the api scope and a role that may "+
			"comment on merge request !%d of project %d", mr.iid, mr.project)
	}
	return err
}

package gitlabsim

import (
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

func TestMergeRequestNotes(t *testing.T) {
	f, s, as := start(t)
	for i := range 25 {
		f.AddNote(f.mr, f.bob, "note "+itoa(int64(i)))
	}
	c := as("alice")
	notes, resp, err := c.Notes.ListMergeRequestNotes(f.api.ID, f.mr.IID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 20 || resp.TotalItems != 25 || resp.NextPage != 2 ||
		notes[0].Body != "note 24" {
		t.Fatalf("first page: %d notes, total %d, next %d, first %q",
			len(notes), resp.TotalItems, resp.NextPage, notes[0].Body)
	}
	n := notes[0]
	if n.NoteableType != "MergeRequest" || n.NoteableIID != f.mr.IID || n.ProjectID != f.api.ID ||
		n.Author.Username != "bob" || n.CreatedAt == nil {
		t.Errorf("note %+v", n)
	}
	asc, _, err := c.Notes.ListMergeRequestNotes(f.api.ID, f.mr.IID,
		&gitlab.ListMergeRequestNotesOptions{Sort: ptr("asc")})
	if err != nil || asc[0].Body != "note 0" {
		t.Errorf("ascending: %v %v", asc, err)
	}

	created, _, err := c.Notes.CreateMergeRequestNote(f.api.ID, f.mr.IID,
		&gitlab.CreateMergeRequestNoteOptions{Body: ptr("<!-- hatchery -->\nplan")})
	if err != nil {
		t.Fatal(err)
	}
	edited, _, err := c.Notes.UpdateMergeRequestNote(f.api.ID, f.mr.IID, created.ID,
		&gitlab.UpdateMergeRequestNoteOptions{Body: ptr("<!-- hatchery -->\nplan 2")})
	if err != nil || edited.Body != "<!-- hatchery -->\nplan 2" ||
		!edited.UpdatedAt.After(*edited.CreatedAt) {
		t.Fatalf("edited %+v, err %v", edited, err)
	}
	_, _, err = as("carol").Notes.UpdateMergeRequestNote(f.api.ID, f.mr.IID, created.ID,
		&gitlab.UpdateMergeRequestNoteOptions{Body: ptr("hijack")})
	wantStatus(t, err, 403)
	got, _, err := c.Notes.GetMergeRequestNote(f.api.ID, f.mr.IID, created.ID)
	if err != nil || got.Body != edited.Body {
		t.Errorf("note after refused edit: %+v %v", got, err)
	}
	if n := s.Count("GET", "/projects/:id/merge_requests/:noteable_id/notes"); n != 2 {
		t.Errorf("counted %d list calls", n)
	}
}

func TestNoteLimits(t *testing.T) {
	f, s, as := start(t)
	c := as("alice")
	long := strings.Repeat("x", maxNoteLength+1)
	_, _, err := c.Notes.CreateMergeRequestNote(f.api.ID, f.mr.IID,
		&gitlab.CreateMergeRequestNoteOptions{Body: &long})
	wantStatus(t, err, 400)
	if !strings.Contains(err.Error(), "is too long (maximum is 1000000 characters)") {
		t.Errorf("error %v", err)
	}
	exact := long[1:]
	n, _, err := c.Notes.CreateMergeRequestNote(f.api.ID, f.mr.IID,
		&gitlab.CreateMergeRequestNoteOptions{Body: &exact})
	if err != nil {
		t.Fatalf("a note of exactly 1,000,000 characters: %v", err)
	}
	_, _, err = c.Notes.UpdateMergeRequestNote(f.api.ID, f.mr.IID, n.ID,
		&gitlab.UpdateMergeRequestNoteOptions{Body: &long})
	wantStatus(t, err, 400)

	code, _, body := rawCall(t, "POST", s.URL()+"/api/v4/projects/"+itoa(f.api.ID)+
		"/merge_requests/1/notes", token("glpat-alice"), `{"body":""}`)
	if code != 400 {
		t.Fatal(code)
	}
	wantJSON(t, body, `{"message":{"note":["can't be blank"]}}`)
	_, _, err = c.Notes.ListMergeRequestNotes(f.api.ID, 77, nil)
	wantStatus(t, err, 404)
	_, _, err = as("dave").Notes.ListMergeRequestNotes(f.api.ID, f.mr.IID, nil)
	wantStatus(t, err, 404)
}

func TestJobTokenScope(t *testing.T) {
	f := newFixtureWorld()
	f.AddJobToken(f.api, f.bob, "glcbt-api")
	other := f.AddMergeRequest(f.web, f.alice, "web change")
	_, url := serve(t, f.World)
	c, err := gitlab.NewJobClient("glcbt-api", gitlab.WithBaseURL(url+"/api/v4"),
		gitlab.WithCustomRetryMax(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Notes.ListMergeRequestNotes(f.api.ID, f.mr.IID, nil); err != nil {
		t.Errorf("own project: %v", err)
	}
	_, _, err = c.Notes.ListMergeRequestNotes(f.web.ID, other.IID, nil)
	wantStatus(t, err, 404)
	_, _, err = c.Projects.GetProject(f.api.ID, nil)
	wantStatus(t, err, 404) // anonymous: the job token does not count here
	_, _, err = c.Runners.ListRunners(nil)
	wantStatus(t, err, 401)
}

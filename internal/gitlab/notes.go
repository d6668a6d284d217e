package gitlab

import (
	"context"
	"fmt"

	gl "gitlab.com/gitlab-org/api/client-go/v2"
)

// Note is a comment on a merge request.
type Note struct {
	ID     int64
	Body   string
	Author string // username
	System bool   // written by GitLab itself
}

func note(n *gl.Note) Note {
	return Note{ID: n.ID, Body: n.Body, Author: n.Author.Username, System: n.System}
}

func mergeRequest(projectID, iid int64) string {
	return fmt.Sprintf("merge request !%d of project %d", iid, projectID)
}

// MergeRequestNotes lists every note of a merge request, oldest first.
func (c *Client) MergeRequestNotes(ctx context.Context, projectID, iid int64) ([]Note, error) {
	var out []Note
	opt := &gl.ListMergeRequestNotesOptions{
		ListOptions: gl.ListOptions{PerPage: perPage},
		OrderBy:     gl.Ptr("created_at"),
		Sort:        gl.Ptr("asc"),
	}
	err := pages(func(page int64) (*gl.Response, error) {
		opt.Page = page
		ns, resp, err := c.api.Notes.ListMergeRequestNotes(projectID, iid, opt,
			budgeted(ctx))
		for _, n := range ns {
			out = append(out, note(n))
		}
		return resp, err
	})
	if err != nil {
		return nil, wrapPage("list notes of "+mergeRequest(projectID, iid), err)
	}
	return out, nil
}

// CreateMergeRequestNote adds a note to a merge request. It is never
// retried after an unclear failure: see Unclear.
func (c *Client) CreateMergeRequestNote(ctx context.Context, projectID, iid int64,
	body string) (Note, error) {
	opt := &gl.CreateMergeRequestNoteOptions{Body: gl.Ptr(body)}
	n, resp, err := c.api.Notes.CreateMergeRequestNote(projectID, iid, opt,
		budgeted(ctx))
	if err != nil {
		return Note{}, wrap("add note to "+mergeRequest(projectID, iid), resp, err)
	}
	return note(n), nil
}

// EditMergeRequestNote replaces the body of a merge request's note.
func (c *Client) EditMergeRequestNote(ctx context.Context, projectID, iid, noteID int64,
	body string) (Note, error) {
	opt := &gl.UpdateMergeRequestNoteOptions{Body: gl.Ptr(body)}
	n, resp, err := c.api.Notes.UpdateMergeRequestNote(projectID, iid, noteID, opt,
		budgeted(ctx))
	if err != nil {
		op := fmt.Sprintf("edit note %d of %s", noteID, mergeRequest(projectID, iid))
		return Note{}, wrap(op, resp, err)
	}
	return note(n), nil
}

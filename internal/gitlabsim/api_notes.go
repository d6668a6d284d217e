package gitlabsim

import (
	"cmp"
	"net/http"
	"sort"
	"unicode/utf8"
)

// Merge request notes. A CI job token may list and read them and nothing
// else: on the other endpoints GitLab ignores a job token, so the request
// counts as anonymous (401). Only a note's author may edit it; a body is at
// most 1,000,000 characters.

const maxNoteLength = 1000000

// findMR reads :noteable_id as a merge request iid of the project. Private
// projects show merge requests to Reporters and above.
func (c *call) findMR() (*MergeRequest, *reply) {
	p, rep := c.findProject()
	if rep != nil {
		return nil, rep
	}
	iid, rep := pathInt(c, "noteable_id")
	if rep != nil {
		return nil, rep
	}
	mr := p.MergeRequest(iid)
	canRead := p.Visibility != "private" || c.w.projectAccess(c.user, p) >= Reporter
	if mr == nil || !canRead {
		return nil, notFound("MergeRequest")
	}
	return mr, nil
}

func (c *call) findNote(mr *MergeRequest) (*Note, *reply) {
	id, rep := pathInt(c, "note_id")
	if rep != nil {
		return nil, rep
	}
	for _, n := range mr.notes {
		if n.ID == id {
			return n, nil
		}
	}
	return nil, recordNotFound()
}

func noteErrors(body string) map[string][]string {
	switch {
	case body == "":
		return map[string][]string{"note": {"can't be blank"}}
	case utf8.RuneCountInString(body) > maxNoteLength:
		return map[string][]string{"note": {"is too long (maximum is 1000000 characters)"}}
	}
	return nil
}

// handleListNotes orders by created_at (or updated_at), newest first unless
// sort=asc, with the id as tie-breaker.
func handleListNotes(c *call) *reply {
	mr, rep := c.findMR()
	if rep != nil {
		return rep
	}
	d := c.decoder()
	orderBy, sortDir := "created_at", "desc"
	if v, ok := d.str("order_by"); ok {
		d.oneOf("order_by", v, "created_at", "updated_at")
		orderBy = v
	}
	if v, ok := d.str("sort"); ok {
		d.oneOf("sort", v, "asc", "desc")
		sortDir = v
	}
	if bad := d.bad(); bad != nil {
		return bad
	}
	notes := append([]*Note(nil), mr.notes...)
	sort.SliceStable(notes, func(i, j int) bool {
		a, b := notes[i], notes[j]
		ta, tb := a.CreatedAt, b.CreatedAt
		if orderBy == "updated_at" {
			ta, tb = a.UpdatedAt, b.UpdatedAt
		}
		k := ta.Compare(tb)
		if k == 0 {
			k = cmp.Compare(a.ID, b.ID)
		}
		if sortDir == "asc" {
			return k < 0
		}
		return k > 0
	})
	return paginate(c, notes, func(n *Note) any { return c.note(n) })
}

func handleGetNote(c *call) *reply {
	mr, rep := c.findMR()
	if rep != nil {
		return rep
	}
	n, rep := c.findNote(mr)
	if rep != nil {
		return rep
	}
	return jsonReply(http.StatusOK, c.note(n))
}

func handleCreateNote(c *call) *reply {
	mr, rep := c.findMR()
	if rep != nil {
		return rep
	}
	d := c.decoder()
	body := d.required("body")
	internal, _ := d.boolean("internal")
	if bad := d.bad(); bad != nil {
		return bad
	}
	if errs := noteErrors(body); errs != nil {
		return validationError(http.StatusBadRequest, errs)
	}
	n := c.w.AddNote(mr, c.user, body)
	n.Internal = internal
	return jsonReply(http.StatusCreated, c.note(n))
}

func handleEditNote(c *call) *reply {
	mr, rep := c.findMR()
	if rep != nil {
		return rep
	}
	d := c.decoder()
	body, ok := d.str("body")
	if bad := d.bad(); bad != nil {
		return bad
	}
	if ok && body == "" {
		return grapeError(http.StatusBadRequest, "body is empty")
	}
	n, rep := c.findNote(mr)
	if rep != nil {
		return rep
	}
	if n.Author != c.user {
		return forbidden("")
	}
	if !ok {
		return jsonReply(http.StatusOK, c.note(n))
	}
	if errs := noteErrors(body); errs != nil {
		return validationError(http.StatusBadRequest, errs)
	}
	n.Body, n.UpdatedAt = body, c.w.tick()
	return jsonReply(http.StatusOK, c.note(n))
}

package gitlabsim

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Offset pagination as GitLab does it: per_page defaults to 20 and is capped
// at 100; X-Page, X-Per-Page, X-Next-Page and X-Prev-Page (empty when there
// is none) always; X-Total, X-Total-Pages and the Link rel="last" only while
// the total is at most 10,000, which GitLab no longer counts past.
const (
	defaultPerPage = 20
	maxPerPage     = 100
	countLimit     = 10000
)

// pageBounds reads page and per_page; a value that is not a positive
// integer leaves the default.
func (c *call) pageBounds() (page, perPage int) {
	d := c.decoder()
	page, perPage = 1, defaultPerPage
	if n, ok := d.integer("page"); ok && n > 0 {
		page = int(n)
	}
	if n, ok := d.integer("per_page"); ok && n > 0 {
		perPage = int(min(n, maxPerPage))
	}
	return page, perPage
}

// paginate cuts one page out of items and answers it with GitLab's headers.
func paginate[T any](c *call, items []T, entity func(T) any) *reply {
	page, perPage := c.pageBounds()
	total := len(items)
	lo := min((page-1)*perPage, total)
	hi := min(lo+perPage, total)
	body := make([]any, 0, hi-lo)
	for _, it := range items[lo:hi] {
		body = append(body, entity(it))
	}
	rep := jsonReply(http.StatusOK, body)
	rep.header = c.pageHeader(page, perPage, total)
	return rep
}

func (c *call) pageHeader(page, perPage, total int) http.Header {
	counted := total <= countLimit
	totalPages := max(1, (total+perPage-1)/perPage)
	next, prev := "", ""
	if page*perPage < total {
		next = strconv.Itoa(page + 1)
	}
	if page > 1 {
		prev = strconv.Itoa(page - 1)
	}
	h := http.Header{
		"X-Page":      {strconv.Itoa(page)},
		"X-Per-Page":  {strconv.Itoa(perPage)},
		"X-Next-Page": {next},
		"X-Prev-Page": {prev},
	}
	var links []string
	if prev != "" {
		links = append(links, c.pageLink(page-1, perPage, "prev"))
	}
	if next != "" {
		links = append(links, c.pageLink(page+1, perPage, "next"))
	}
	links = append(links, c.pageLink(1, perPage, "first"))
	if counted {
		h.Set("X-Total", strconv.Itoa(total))
		h.Set("X-Total-Pages", strconv.Itoa(totalPages))
		links = append(links, c.pageLink(totalPages, perPage, "last"))
	}
	h.Set("Link", strings.Join(links, ", "))
	return h
}

// pageLink repeats the request's query with another page.
func (c *call) pageLink(page, perPage int, rel string) string {
	q := url.Values{}
	for k, vs := range c.req.URL.Query() {
		if k != "page" && k != "per_page" && k != "private_token" {
			q[k] = vs
		}
	}
	q.Set("page", strconv.Itoa(page))
	q.Set("per_page", strconv.Itoa(perPage))
	return fmt.Sprintf("<%s%s?%s>; rel=%q", c.base, c.req.URL.EscapedPath(), q.Encode(), rel)
}

package plan

// The Markdown form is written for a merge request note. GitLab refuses a
// note longer than NoteLimit characters, so the summary goes first and is
// never cut; the problems, and then the eggs' details, fill what is left,
// egg by egg, and what did not fit is counted and pointed at.

import (
	"fmt"
	"html"
	"strings"
	"unicode/utf8"
)

// NoteLimit is the most characters GitLab takes in a note's body.
const NoteLimit = 1_000_000

// MarkdownOptions shape the Markdown form of a plan.
type MarkdownOptions struct {
	// Title is the heading's text, Markdown; "hatchery plan" when empty.
	Title string
	// Lead are Markdown lines under the heading: the commit, the job.
	Lead []string
	// FullPlan says where the whole plan is when the details are cut,
	// Markdown: "the job's artifacts" or a link to them.
	FullPlan string
	// Limit is the most characters to write; NoteLimit when zero.
	Limit int
}

// Markdown renders the plan for a merge request note: a summary table and
// line, the errors and warnings with their .fly file and line, then one
// collapsible section per egg that changes. The result is never longer
// than the limit; the summary stays whole, the rest is cut to fit.
func (p *Plan) Markdown(opt MarkdownOptions) string {
	limit := opt.Limit
	if limit <= 0 {
		limit = NoteLimit
	}
	var m mdBudget
	m.left = limit
	head := p.mdHead(opt)
	m.left -= runes(head)

	var changed []eggUnits
	quiet := 0
	for _, e := range groupByEgg(p.Units) {
		switch {
		case e.changes():
			changed = append(changed, e)
		case !e.failed():
			quiet++
		}
	}
	problems := p.problems()
	notice := func(cut cutCount) string { return cut.notice(opt.FullPlan) }
	// Room for the longest notice is kept back from the start, so that
	// whatever is cut can always be said.
	m.left -= runes(notice(cutCount{problems: len(problems), eggs: len(changed),
		lines: 1 << 30, egg: strings.Repeat("x", 63)}))

	var body strings.Builder
	var cut cutCount
	if len(problems) > 0 {
		cut.problems = m.list(&body, "**Errors and warnings**", problems)
	}
	for i, e := range changed {
		if cut.problems > 0 || cut.eggs > 0 {
			cut.eggs = len(changed) - i
			break
		}
		sec := e.section()
		if whole := sec.whole(); m.fits(whole) {
			body.WriteString(whole)
			m.left -= runes(whole)
			continue
		}
		cut.eggs = len(changed) - i - 1
		if n := m.partial(&body, sec); n > 0 {
			cut.egg, cut.lines = e.name, n
		} else {
			cut.eggs++
		}
	}
	if quiet > 0 {
		line := fmt.Sprintf("%s without changes.\n\n", countEggs(quiet))
		if m.fits(line) {
			body.WriteString(line)
			m.left -= runes(line)
		}
	}
	out := head + body.String()
	if cut != (cutCount{}) {
		out += notice(cut)
	}
	return out
}

// mdHead is the part that is never cut: the heading, the lead lines, the
// summary table and the summary line.
func (p *Plan) mdHead(opt MarkdownOptions) string {
	var b strings.Builder
	title := opt.Title
	if title == "" {
		title = "hatchery plan"
	}
	fmt.Fprintf(&b, "### %s\n\n", title)
	for _, l := range opt.Lead {
		fmt.Fprintf(&b, "%s  \n", l)
	}
	if len(opt.Lead) > 0 {
		b.WriteString("\n")
	}
	c := p.Counts()
	b.WriteString("| units | to create | to update | to delete | errors |\n")
	b.WriteString("| ---: | ---: | ---: | ---: | ---: |\n")
	fmt.Fprintf(&b, "| %d | %d | %d | %d | %d |\n\n", len(p.Units), c.Create, c.Update,
		c.Delete, p.Errors())
	fmt.Fprintf(&b, "**%s**\n\n", mdText(p.Summary()))
	return b.String()
}

// problems are the errors, then the warnings, of every unit, one
// Markdown list item each.
func (p *Plan) problems() []string {
	var errs, warns []string
	for _, u := range p.Units {
		where := fmt.Sprintf("`%s` on %s", u.Egg, mdText(u.Server))
		if u.Source != "" {
			where += fmt.Sprintf(" (%s)", mdCode(u.Source))
		}
		if u.Error != "" {
			errs = append(errs, fmt.Sprintf("- :x: **error**, %s: %s\n", where, mdText(u.Error)))
		}
		for _, w := range u.Warnings {
			warns = append(warns, fmt.Sprintf("- :warning: warning, %s: %s\n", where, mdText(w)))
		}
	}
	return append(errs, warns...)
}

// mdBudget counts the characters still free.
type mdBudget struct{ left int }

func (m *mdBudget) fits(s string) bool { return runes(s) <= m.left }

// list writes a heading and as many items as fit, and returns how many
// items did not.
func (m *mdBudget) list(b *strings.Builder, heading string, items []string) int {
	heading += "\n\n"
	if !m.fits(heading + items[0] + "\n") {
		return len(items)
	}
	b.WriteString(heading)
	m.left -= runes(heading) + 1
	for i, it := range items {
		if !m.fits(it) {
			b.WriteString("\n")
			return len(items) - i
		}
		b.WriteString(it)
		m.left -= runes(it)
	}
	b.WriteString("\n")
	return 0
}

// partial writes the start of a section that does not fit whole: its
// summary and the lines of its blocks that fit, each block closed. It
// returns how many lines were left out, or 0 when not even the start fit.
func (m *mdBudget) partial(b *strings.Builder, s mdSection) int {
	total := 0
	for _, bl := range s.blocks {
		total += len(bl.lines)
	}
	start := s.open + s.blocks[0].open
	if !m.fits(start + s.blocks[0].close + s.close) {
		return 0
	}
	var w strings.Builder
	w.WriteString(s.open)
	left := m.left - runes(s.open+s.close)
	shown := 0
	for _, bl := range s.blocks {
		if runes(bl.open+bl.close) > left {
			break
		}
		w.WriteString(bl.open)
		left -= runes(bl.open + bl.close)
		for _, l := range bl.lines {
			if runes(l) > left {
				break
			}
			w.WriteString(l)
			left -= runes(l)
			shown++
		}
		w.WriteString(bl.close)
	}
	w.WriteString(s.close)
	b.WriteString(w.String())
	m.left -= runes(w.String())
	return total - shown
}

// cutCount is what the note leaves out.
type cutCount struct {
	problems int    // errors and warnings not listed
	egg      string // the egg whose section was cut short
	lines    int    // lines left out of that egg's section
	eggs     int    // eggs whose sections were left out whole
}

func (c cutCount) notice(fullPlan string) string {
	if fullPlan == "" {
		fullPlan = "the output of `hatchery plan`"
	}
	var parts []string
	if c.problems > 0 {
		parts = append(parts, fmt.Sprintf("%d more errors and warnings", c.problems))
	}
	if c.lines > 0 {
		parts = append(parts, fmt.Sprintf("%d more lines of egg `%s`", c.lines, c.egg))
	}
	if c.eggs > 0 {
		parts = append(parts, fmt.Sprintf("the details of %s", countEggs(c.eggs)))
	}
	return fmt.Sprintf(":scissors: This plan is too large for one note: %s are not shown. "+
		"The summary above counts everything; the full plan is in %s.\n",
		strings.Join(parts, ", "), fullPlan)
}

func countEggs(n int) string { return fmt.Sprintf("%d %s", n, plural(n, "egg", "eggs")) }

// eggUnits are the units of one egg, one per server, in plan order.
type eggUnits struct {
	name  string
	units []*Unit
}

// groupByEgg gathers units by egg, in the order eggs first appear.
func groupByEgg(units []*Unit) []eggUnits {
	index := map[string]int{}
	var out []eggUnits
	for _, u := range units {
		i, ok := index[u.Egg]
		if !ok {
			i = len(out)
			index[u.Egg] = i
			out = append(out, eggUnits{name: u.Egg})
		}
		out[i].units = append(out[i].units, u)
	}
	return out
}

func (e eggUnits) changes() bool {
	for _, u := range e.units {
		if len(u.Actions) > 0 {
			return true
		}
	}
	return false
}

func (e eggUnits) failed() bool {
	for _, u := range e.units {
		if u.Error != "" {
			return true
		}
	}
	return false
}

// mdSection is one egg's collapsible section, in blocks that can be cut
// line by line and still close.
type mdSection struct {
	open, close string
	blocks      []mdBlock
}

type mdBlock struct {
	open  string
	lines []string
	close string
}

func (s mdSection) whole() string {
	var b strings.Builder
	b.WriteString(s.open)
	for _, bl := range s.blocks {
		b.WriteString(bl.open)
		for _, l := range bl.lines {
			b.WriteString(l)
		}
		b.WriteString(bl.close)
	}
	b.WriteString(s.close)
	return b.String()
}

// section renders the egg: per server, its actions as a diff block with
// the fields that change, and the projects discovery skipped.
func (e eggUnits) section() mdSection {
	c := countActions(e.units)
	u0 := e.units[0]
	about := string(u0.Kind) + " egg"
	if u0.Removed {
		about = "removed from the nest"
	}
	if u0.Source != "" {
		about += ", " + html.EscapeString(u0.Source)
	}
	s := mdSection{
		open: fmt.Sprintf("<details><summary><code>%s</code> (%s): %d to create, "+
			"%d to update, %d to delete</summary>\n\n", html.EscapeString(e.name), about,
			c.Create, c.Update, c.Delete),
		close: "</details>\n\n",
	}
	for _, u := range e.units {
		if len(u.Actions) == 0 && len(u.Skipped) == 0 {
			continue
		}
		s.blocks = append(s.blocks, u.mdActions()...)
		if len(u.Skipped) > 0 {
			s.blocks = append(s.blocks, u.mdSkipped())
		}
	}
	return s
}

// mdActions is the unit's actions as a diff block: + create, ~ update,
// - delete, each followed by its fields (old → new).
func (u *Unit) mdActions() []mdBlock {
	var lines []string
	shown := shownChanges{}
	for _, a := range u.Actions {
		lines = append(lines, fmt.Sprintf("%s %s\n", a.sign(), a.Title()))
		if a.Reason != "" {
			lines = append(lines, fmt.Sprintf("    (%s)\n", a.Reason))
		}
		if shown.repeat(a) {
			continue
		}
		for _, c := range a.Changes {
			lines = append(lines, fmt.Sprintf("    %s\n", oneLine(c.text())))
		}
	}
	if len(lines) == 0 {
		return nil
	}
	fence := fenceFor(lines)
	return []mdBlock{{
		open:  fmt.Sprintf("On **%s**:\n\n%sdiff\n", mdText(u.Server), fence),
		lines: lines,
		close: fence + "\n\n",
	}}
}

func (u *Unit) mdSkipped() mdBlock {
	lines := make([]string, len(u.Skipped))
	for i, s := range u.Skipped {
		lines[i] = fmt.Sprintf("- %s (%d): %s\n", mdCode(s.Path), s.ID, mdText(s.Reason))
	}
	return mdBlock{
		open:  fmt.Sprintf("Skipped on %s:\n\n", mdText(u.Server)),
		lines: lines,
		close: "\n",
	}
}

// fenceFor is a code fence longer than any run of backticks in lines.
func fenceFor(lines []string) string {
	longest := 0
	for _, l := range lines {
		longest = max(longest, backticks(l))
	}
	return strings.Repeat("`", max(3, longest+1))
}

// backticks is the length of the longest run of backticks in s.
func backticks(s string) int {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// oneLine keeps a value that holds line breaks on one line.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return lineBreaks.Replace(s)
}

var lineBreaks = strings.NewReplacer("\r\n", `\n`, "\n", `\n`, "\r", `\r`)

// mdText escapes text for Markdown outside code: the characters that
// start formatting, links or HTML are shown as they are.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range oneLine(s) {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\\', '`', '*', '_', '[', ']', '#', '|', '~', '$', '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode is s as inline code.
func mdCode(s string) string {
	s = oneLine(s)
	fence := strings.Repeat("`", backticks(s)+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

func runes(s string) int { return utf8.RuneCountInString(s) }

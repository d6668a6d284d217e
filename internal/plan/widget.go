package plan

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteWidget writes GitLab's terraform report, {"create":N,"update":N,
// "delete":N}: uploaded as artifacts:reports:terraform, it puts the counts
// in the merge request widget. Units that could not be planned are not in
// it; the note and the job say so.
func (p *Plan) WriteWidget(w io.Writer) error {
	data, err := json.Marshal(p.Counts())
	if err != nil {
		return fmt.Errorf("write the terraform report: %w", err)
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

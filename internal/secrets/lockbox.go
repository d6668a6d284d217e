package secrets

// The Lockbox backend keeps each unit's record in one Lockbox secret of one
// folder (see lockbox_names.go for how a secret is named and recognised).
//
//   - One paged List of the folder, when the store opens, finds every
//     record; Read, Write and Delete work from what it found, so a plan of N
//     units makes one List and at most N payload reads. A Create that finds
//     the name taken lists again.
//   - Read is one PayloadService.Get of the secret's current version; a
//     secret without a version is an empty record, and an inactive secret is
//     an error that says how to activate it, without a call.
//   - Write adds a version with only the entries that change: AddVersion
//     keeps every other entry of the current version. A unit without a
//     secret gets one from Create, its first version holding the entries.
//   - Calls that may be repeated (List, Get, AddVersion, Delete) are retried
//     on Unavailable and ResourceExhausted until the context's deadline, or
//     defaultRetryFor without one. A Create is never repeated blindly: after
//     an unclear failure the folder is listed again to see if it landed.
//   - Opened for writing, the store checks at once that it may write, by an
//     Update of one record's labels to what they are: apply then fails before
//     it touches GitLab. A folder without any record cannot be checked this
//     way; there the first write finds out.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	lockbox "github.com/yandex-cloud/go-genproto/yandex/cloud/lockbox/v1"
	"github.com/yandex-cloud/go-genproto/yandex/cloud/operation"
	ycsdk "github.com/yandex-cloud/go-sdk/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// Roles that Lockbox calls need.
const (
	roleViewer        = "lockbox.viewer"
	rolePayloadViewer = "lockbox.payloadViewer"
	roleEditor        = "lockbox.editor"
)

// listPageSize is Lockbox's largest page: one call lists 1,000 records.
const listPageSize = 1000

// LockboxStore is the Store backed by Yandex Cloud Lockbox.
type LockboxStore struct {
	folder   string
	readOnly bool
	creds    *cloudCreds   // where the credentials came from, for messages
	auth     *authRecorder // why the last IAM token could not be had
	sdk      *ycsdk.SDK
	secrets  lockbox.SecretServiceClient
	payloads lockbox.PayloadServiceClient
	ops      operation.OperationServiceClient

	mu     sync.Mutex
	byUnit map[Unit]*lockbox.Secret // nil until listed
	copies map[Unit]error           // units whose record two secrets hold
}

// openLockbox opens the folder's records with the credentials and endpoints
// that getenv gives, lists them, and checks write access unless read-only.
func openLockbox(ctx context.Context, c Config, getenv func(string) string) (Store, error) {
	folder := getenv(EnvFolder)
	if folder == "" {
		folder = c.FolderID
	}
	if folder == "" {
		return nil, fmt.Errorf("secrets backend %q needs a folder: set folder_id in "+
			"hatchery { secrets { … } } or %s", BackendLockbox, EnvFolder)
	}
	ep, err := endpointsFrom(getenv)
	if err != nil {
		return nil, err
	}
	cc, err := findCredentials(getenv, ep)
	if err != nil {
		return nil, err
	}
	sdk, auth, err := buildSDK(ctx, ep, cc, c.Logger)
	if err != nil {
		return nil, err
	}
	conn := sdkConn{sdk}
	s := &LockboxStore{folder: folder, readOnly: c.ReadOnly, creds: cc, auth: auth, sdk: sdk,
		secrets:  lockbox.NewSecretServiceClient(conn),
		payloads: lockbox.NewPayloadServiceClient(conn),
		ops:      operation.NewOperationServiceClient(conn)}
	err = s.list(ctx)
	if err == nil && !c.ReadOnly {
		err = s.checkWrite(ctx)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// String returns lockbox:FOLDER.
func (s *LockboxStore) String() string { return BackendLockbox + ":" + s.folder }

// Close closes the connections.
func (s *LockboxStore) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.sdk.Shutdown(ctx)
}

// List returns every unit that has a record, sorted by server then egg.
func (s *LockboxStore) List(ctx context.Context) ([]Unit, error) {
	if err := s.listOnce(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	units := make([]Unit, 0, len(s.byUnit))
	for u := range s.byUnit {
		units = append(units, u)
	}
	slices.SortFunc(units, compareUnits)
	return units, nil
}

// listOnce lists the folder unless it was listed already.
func (s *LockboxStore) listOnce(ctx context.Context) error {
	s.mu.Lock()
	listed := s.byUnit != nil
	s.mu.Unlock()
	if listed {
		return nil
	}
	return s.list(ctx)
}

// list reads every page of the folder and keeps the secrets that hold a
// unit's record. A unit whose record two secrets hold is listed, and every
// use of its record fails: only that unit fails to plan.
func (s *LockboxStore) list(ctx context.Context) error {
	all := map[Unit][]*lockbox.Secret{}
	req := &lockbox.ListSecretsRequest{FolderId: s.folder, PageSize: listPageSize}
	for {
		var resp *lockbox.ListSecretsResponse
		err := s.retry(ctx, func(ctx context.Context) (err error) {
			resp, err = s.secrets.List(ctx, req)
			return err
		})
		if err != nil {
			return s.failed("list the secrets of folder "+s.folder, roleViewer, "", err)
		}
		for _, sec := range resp.Secrets {
			if u, ok := unitOf(sec.Labels, sec.Description); ok {
				all[u] = append(all[u], sec)
			}
		}
		if resp.NextPageToken == "" {
			break
		}
		req.PageToken = resp.NextPageToken
	}
	byUnit := make(map[Unit]*lockbox.Secret, len(all))
	copies := map[Unit]error{}
	for u, secs := range all {
		byUnit[u] = secs[0]
		if len(secs) > 1 {
			copies[u] = copiedRecord(s.folder, u, secs)
		}
	}
	s.mu.Lock()
	s.byUnit, s.copies = byUnit, copies
	s.mu.Unlock()
	return nil
}

// copiedRecord is the error of a unit whose record several secrets hold.
func copiedRecord(folder string, u Unit, secs []*lockbox.Secret) error {
	names := make([]string, len(secs))
	for i, sec := range secs {
		names[i] = fmt.Sprintf("%s (%s)", sec.Name, sec.Id)
	}
	n := "two"
	if len(secs) > 2 {
		n = strconv.Itoa(len(secs))
	}
	return fmt.Errorf("%s Lockbox secrets in folder %s hold the record of %s: %s; delete "+
		"the one hatchery did not make", n, folder, u, strings.Join(names, " and "))
}

// secretOf returns the unit's secret as last listed, or nil; a unit whose
// record was copied is an error.
func (s *LockboxStore) secretOf(ctx context.Context, u Unit) (*lockbox.Secret, error) {
	if err := s.listOnce(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.copies[u]; err != nil {
		return nil, err
	}
	return s.byUnit[u], nil
}

func (s *LockboxStore) remember(u Unit, sec *lockbox.Secret) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sec == nil {
		delete(s.byUnit, u)
	} else {
		s.byUnit[u] = sec
	}
}

// Read returns the unit's record, read from its secret's current version.
func (s *LockboxStore) Read(ctx context.Context, u Unit) (*Record, error) {
	if err := u.Check(); err != nil {
		return nil, err
	}
	sec, err := s.secretOf(ctx, u)
	if err != nil {
		return nil, err
	}
	what := fmt.Sprintf("read %s from %s", u, s)
	if sec == nil {
		return nil, fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	if sec.Status != lockbox.Secret_ACTIVE {
		return nil, fmt.Errorf("%s: secret %s (%s) is %s, and Lockbox keeps the payload of "+
			"an inactive secret out of reach: yc lockbox secret activate --id %s",
			what, sec.Name, sec.Id, statusWord(sec.Status), sec.Id)
	}
	rec := &Record{Unit: u, Values: map[Type]string{}}
	if sec.CurrentVersion == nil {
		return rec, nil
	}
	if st := sec.CurrentVersion.Status; st == lockbox.Version_DESTROYED {
		return nil, fmt.Errorf("%s: the current version %s of secret %s (%s) is destroyed, "+
			"and Lockbox keeps no payload of it: delete the secret (yc lockbox secret delete "+
			"--id %s), store the api-token again with hatchery secrets set, and the next "+
			"apply makes the rest anew",
			what, sec.CurrentVersion.Id, sec.Name, sec.Id, sec.Id)
	}
	var p *lockbox.Payload
	err = s.retry(ctx, func(ctx context.Context) (err error) {
		p, err = s.payloads.Get(ctx, &lockbox.GetPayloadRequest{SecretId: sec.Id})
		return err
	})
	if err != nil {
		return nil, s.failed(what, rolePayloadViewer, sec.KmsKeyId, err)
	}
	if err := fillRecord(rec, p); err != nil {
		return nil, fmt.Errorf("%s: secret %s (%s): %w", what, sec.Name, sec.Id, err)
	}
	return rec, nil
}

func statusWord(st lockbox.Secret_Status) string {
	if st == lockbox.Secret_INACTIVE {
		return "deactivated"
	}
	return "not active (" + st.String() + ")"
}

// fillRecord reads the payload's entries into rec. Entries of other names
// are left alone: a person may keep notes beside hatchery's.
func fillRecord(rec *Record, p *lockbox.Payload) error {
	var up Update
	up.Values = map[Type]string{}
	for _, e := range p.Entries {
		v := e.GetTextValue()
		if b := e.GetBinaryValue(); b != nil {
			v = string(b)
		}
		if e.Key == entryRunnerID {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				return fmt.Errorf("entry %s is not a positive number", entryRunnerID)
			}
			up.RunnerID = id
			continue
		}
		if t, err := ParseType(e.Key); err == nil {
			up.Values[t] = v
		}
	}
	if len(up.Values) > 0 || up.RunnerID != 0 {
		if err := up.Check(); err != nil {
			return err
		}
	}
	rec.Values, rec.RunnerID = up.Values, up.RunnerID
	return nil
}

// Write adds a version to the unit's secret with the entries up names,
// creating the secret when the unit has none.
func (s *LockboxStore) Write(ctx context.Context, u Unit, up Update) error {
	if err := checkChange(s, s.readOnly, u); err != nil {
		return err
	}
	if err := up.Check(); err != nil {
		return fmt.Errorf("write %s to %s: %w", u, s, err)
	}
	sec, err := s.secretOf(ctx, u)
	if err != nil {
		return err
	}
	if sec == nil {
		return s.create(ctx, u, changes(up))
	}
	return s.addVersion(ctx, u, sec, changes(up))
}

// changes returns up as payload entry changes, sorted by key.
func changes(up Update) []*lockbox.PayloadEntryChange {
	var out []*lockbox.PayloadEntryChange
	for t, v := range up.Values {
		out = append(out, textEntry(string(t), v))
	}
	if up.RunnerID != 0 {
		out = append(out, textEntry(entryRunnerID, strconv.FormatInt(up.RunnerID, 10)))
	}
	slices.SortFunc(out, func(a, b *lockbox.PayloadEntryChange) int {
		return strings.Compare(a.Key, b.Key)
	})
	return out
}

func textEntry(key, v string) *lockbox.PayloadEntryChange {
	return &lockbox.PayloadEntryChange{Key: key,
		Value: &lockbox.PayloadEntryChange_TextValue{TextValue: v}}
}

// create makes the unit's secret. After a failure that leaves unclear
// whether it was made, it lists the folder before trying again.
func (s *LockboxStore) create(ctx context.Context, u Unit, ch []*lockbox.PayloadEntryChange) error {
	req := &lockbox.CreateSecretRequest{FolderId: s.folder, Name: secretName(u),
		Description: secretDescription(u), Labels: secretLabels(u),
		VersionPayloadEntries: ch}
	what := fmt.Sprintf("create secret %s for %s in %s", req.Name, u, s)
	err := s.retry(ctx, func(ctx context.Context) error {
		op, err := s.secrets.Create(ctx, req)
		if err == nil {
			var sec lockbox.Secret
			if err = s.finish(ctx, op, &sec); err == nil {
				s.remember(u, &sec)
				return nil
			}
		}
		if status.Code(err) != codes.AlreadyExists && !retryable(err) {
			return err
		}
		if lerr := s.list(ctx); lerr != nil {
			return lerr
		}
		sec, lerr := s.secretOf(ctx, u)
		if lerr != nil {
			return lerr
		}
		if sec != nil {
			return s.addVersion(ctx, u, sec, ch)
		}
		return err // retried when retryable
	})
	if err != nil {
		return s.failed(what, roleEditor, "", err)
	}
	return nil
}

func (s *LockboxStore) addVersion(ctx context.Context, u Unit, sec *lockbox.Secret,
	ch []*lockbox.PayloadEntryChange) error {
	req := &lockbox.AddVersionRequest{SecretId: sec.Id, PayloadEntries: ch}
	var v lockbox.Version
	err := s.operate(ctx, &v, func(ctx context.Context) (*operation.Operation, error) {
		return s.secrets.AddVersion(ctx, req)
	})
	if err != nil {
		return s.failed(fmt.Sprintf("write %s to secret %s (%s) in %s", u, sec.Name, sec.Id, s),
			roleEditor, sec.KmsKeyId, err)
	}
	next := proto.Clone(sec).(*lockbox.Secret)
	next.CurrentVersion = &v
	s.remember(u, next)
	return nil
}

// Delete deletes the unit's secret; a unit without one is no error.
func (s *LockboxStore) Delete(ctx context.Context, u Unit) error {
	if err := checkChange(s, s.readOnly, u); err != nil {
		return err
	}
	sec, err := s.secretOf(ctx, u)
	if err != nil || sec == nil {
		return err
	}
	req := &lockbox.DeleteSecretRequest{SecretId: sec.Id}
	err = s.operate(ctx, nil, func(ctx context.Context) (*operation.Operation, error) {
		return s.secrets.Delete(ctx, req)
	})
	if err != nil && status.Code(err) != codes.NotFound {
		return s.failed(fmt.Sprintf("delete secret %s (%s) of %s from %s",
			sec.Name, sec.Id, u, s), roleEditor, "", err)
	}
	s.remember(u, nil)
	return nil
}

// checkWrite proves that the credentials may write to the folder by
// setting one record's labels to what they are.
func (s *LockboxStore) checkWrite(ctx context.Context) error {
	units, err := s.List(ctx)
	if err != nil {
		return err
	}
	var sec *lockbox.Secret
	for _, u := range units {
		if sec, _ = s.secretOf(ctx, u); sec != nil {
			break
		}
	}
	if sec == nil {
		return nil // no record to check with, or only copied ones
	}
	req := &lockbox.UpdateSecretRequest{SecretId: sec.Id,
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"labels"}}, Labels: sec.Labels}
	err = s.operate(ctx, nil, func(ctx context.Context) (*operation.Operation, error) {
		return s.secrets.Update(ctx, req)
	})
	if err != nil {
		return s.failed("check that "+s.String()+" may be written", roleEditor, "", err)
	}
	return nil
}

package secrets

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"gitlab.com/hatchery/hatchery/internal/lockboxsim"
)

var (
	lbA = Unit{Server: "gitlab.com", Egg: "api"}
	lbB = Unit{Server: "gitlab.example.com:8443", Egg: "web"}
)

func TestLockboxWriteMergesAndReadsBack(t *testing.T) {
	sim := startSim(t)
	s := openSim(t, sim, editorToken, false)
	ctx := t.Context()

	up := Update{Values: map[Type]string{APIToken: "glpat-aaaaaaaaaaaa"}}
	if err := s.Write(ctx, lbA, up); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, lbA, Update{RunnerID: 42,
		Values: map[Type]string{RunnerToken: "glrt-bbbbbbbbbbbb"}}); err != nil {
		t.Fatal(err)
	}
	rec, err := s.Read(ctx, lbA)
	if err != nil {
		t.Fatal(err)
	}
	want := map[Type]string{APIToken: "glpat-aaaaaaaaaaaa", RunnerToken: "glrt-bbbbbbbbbbbb"}
	if !maps.Equal(rec.Values, want) || rec.RunnerID != 42 {
		t.Errorf("Read = %v runner %d, want %v runner 42", rec.Values, rec.RunnerID, want)
	}

	got := sim.Secrets()
	if len(got) != 1 {
		t.Fatalf("simulator holds %d secrets, want 1", len(got))
	}
	sec := got[0]
	if sec.Versions != 2 || sec.Name != secretName(lbA) ||
		!strings.HasPrefix(sec.Description, "yc-lockbox://gitlab/gitlab.com/api/ ") {
		t.Errorf("secret = %+v", sec)
	}
	wantLabels := map[string]string{"managed-by": "hatchery", "egg": "api", "server": "gitlab-com"}
	if !maps.Equal(sec.Labels, wantLabels) {
		t.Errorf("labels = %v, want %v", sec.Labels, wantLabels)
	}
	if sec.Entries["runner-id"] != "42" || len(sec.Entries) != 3 {
		t.Errorf("entries = %v keys", len(sec.Entries))
	}
}

func TestLockboxSecondStoreSeesRecords(t *testing.T) {
	sim := startSim(t)
	w := openSim(t, sim, editorToken, false)
	for _, u := range []Unit{lbB, lbA} {
		if err := w.Write(t.Context(), u, Update{RunnerID: 7}); err != nil {
			t.Fatal(err)
		}
	}
	sim.Seed(testFolder, "someone-elses", "a secret hatchery does not manage", nil,
		map[string]string{"password": "hunter2hunter2"})
	r := openSim(t, sim, readerToken, true)
	units, err := r.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(units) != "[gitlab.com/api gitlab.example.com:8443/web]" {
		t.Errorf("List = %v", units)
	}
	gone := Unit{Server: "gitlab.com", Egg: "gone"}
	if _, err := r.Read(t.Context(), gone); !errors.Is(err, ErrNotFound) {
		t.Errorf("Read of a unit without a record: %v, want ErrNotFound", err)
	}
	if err := r.Write(t.Context(), lbA, Update{RunnerID: 8}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Write on a read-only store: %v, want ErrReadOnly", err)
	}
}

// TestLockboxRequestsPerPlan holds the backend to what DESIGN promises: one
// List per folder per run and one payload read per unit that has a record.
func TestLockboxRequestsPerPlan(t *testing.T) {
	for _, n := range []int{0, 1, 250, 1000, 1001, 2500} {
		t.Run(fmt.Sprint(n, " records"), func(t *testing.T) {
			sim := startSim(t)
			for i := range n {
				u := Unit{Server: "gitlab.com", Egg: fmt.Sprintf("egg-%04d", i)}
				seedUnit(sim, u, map[string]string{"api-token": token(i)})
			}
			s := openSim(t, sim, readerToken, true)
			units, err := s.List(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if len(units) != n {
				t.Fatalf("List found %d units, want %d", len(units), n)
			}
			for _, u := range units {
				if _, err := s.Read(t.Context(), u); err != nil {
					t.Fatal(err)
				}
			}
			// A unit new to the nest costs no request at all.
			s.Read(t.Context(), Unit{Server: "gitlab.com", Egg: "new"})

			pages := max(1, (n+listPageSize-1)/listPageSize)
			if got := sim.Count("SecretService.List"); got != pages {
				t.Errorf("%d List calls, want %d", got, pages)
			}
			if got := sim.Count("PayloadService.Get"); got != n {
				t.Errorf("%d payload reads, want %d", got, n)
			}
			if got := len(sim.Requests()); got != pages+n {
				t.Errorf("%d requests in all, want %d", got, pages+n)
			}
		})
	}
}

func TestLockboxRolesNamedInErrors(t *testing.T) {
	sim := startSim(t)
	id := seedUnit(sim, lbA, map[string]string{"api-token": "glpat-aaaaaaaaaaaa"})

	cases := []struct {
		name     string
		token    string
		readOnly bool
		read     bool // the error comes from Read, not Open
		want     string
	}{
		{"no role at all", nobodyToken, true, false,
			"needs role lockbox.viewer on folder " + testFolder},
		{"viewer cannot read payloads", viewerToken, true, true,
			"needs role lockbox.payloadViewer"},
		{"reader cannot write", readerToken, false, false, "needs role lockbox.editor"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := openSimErr(t.Context(), sim, tc.token, tc.readOnly)
			if tc.read {
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				_, err = s.Read(t.Context(), lbA)
			}
			if !errors.Is(err, ErrPermission) {
				t.Fatalf("error %v, want ErrPermission", err)
			}
			msg := err.Error()
			creds := "credentials: the IAM token in " + EnvIAMToken
			for _, want := range []string{tc.want, "(request id ", creds} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q lacks %q", msg, want)
				}
			}
			if strings.Contains(msg, "rpc error") || strings.Contains(msg, tc.token) {
				t.Errorf("error %q shows a raw gRPC status or the token", msg)
			}
			role := tc.want[strings.Index(tc.want, "lockbox."):]
			role, _, _ = strings.Cut(role, " ")
			grant := "yc resource-manager folder add-access-binding " + testFolder +
				" --role " + role + " --service-account-id ID"
			if got := GrantCommand(err); got != grant {
				t.Errorf("GrantCommand = %q, want %q", got, grant)
			}
		})
	}

	t.Run("an account hatchery knows", func(t *testing.T) {
		sim.AddSubject("ajekeyed", lockboxsim.RoleViewer)
		_, err := Open(t.Context(), Config{FolderID: testFolder},
			simEnv(sim, EnvKey, authorizedKey(t, sim, "ajekeyed")))
		grant := "yc resource-manager folder add-access-binding " + testFolder +
			" --role lockbox.editor --service-account-id ajekeyed"
		if got := GrantCommand(err); got != grant {
			t.Errorf("GrantCommand(%v) = %q, want %q", err, got, grant)
		}
	})

	t.Run("a secret with its own KMS key", func(t *testing.T) {
		sim.SetKMSKey(id, "abjkmskey0001")
		s := openSim(t, sim, readerToken, true)
		_, err := s.Read(t.Context(), lbA)
		if err == nil || !strings.Contains(err.Error(),
			"kms.keys.encrypterDecrypter on KMS key abjkmskey0001") {
			t.Errorf("error %v does not name the KMS role", err)
		}
		if got := GrantCommand(err); !strings.Contains(got, "yc kms symmetric-key "+
			"add-access-binding abjkmskey0001 --role kms.keys.encrypterDecrypter") {
			t.Errorf("GrantCommand = %q lacks the KMS key's binding", got)
		}
	})
}

func TestLockboxUnreadableSecrets(t *testing.T) {
	sim := startSim(t)
	inactive := seedUnit(sim, lbA, map[string]string{"api-token": "glpat-aaaaaaaaaaaa"})
	destroyed := seedUnit(sim, lbB, map[string]string{"api-token": "glpat-bbbbbbbbbbbb"})
	sim.SetActive(inactive, false)
	sim.DestroyCurrent(destroyed)
	s := openSim(t, sim, readerToken, true)

	_, err := s.Read(t.Context(), lbA)
	if err == nil || !strings.Contains(err.Error(), "is deactivated") ||
		!strings.Contains(err.Error(), "yc lockbox secret activate --id "+inactive) {
		t.Errorf("inactive: %v", err)
	}
	_, err = s.Read(t.Context(), lbB)
	for _, w := range []string{"is destroyed, and Lockbox keeps no payload of it",
		"yc lockbox secret delete --id " + destroyed, "store the api-token again"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("destroyed version: %v, want %q", err, w)
		}
	}
	if err != nil && strings.Contains(err.Error(), "FailedPrecondition") {
		t.Errorf("destroyed version: raw status in %v", err)
	}
}

func TestLockboxRetriesUnavailable(t *testing.T) {
	sim := startSim(t)
	seedUnit(sim, lbA, map[string]string{"api-token": "glpat-aaaaaaaaaaaa"})
	s := openSim(t, sim, readerToken, true)

	sim.AddFault(lockboxsim.Fault{Method: "PayloadService.Get", Code: "Unavailable", Times: 2})
	if _, err := s.Read(t.Context(), lbA); err != nil {
		t.Fatalf("Read after two Unavailable answers: %v", err)
	}
	if got := sim.Count("PayloadService.Get"); got != 3 {
		t.Errorf("%d payload reads, want 3", got)
	}

	sim.AddFault(lockboxsim.Fault{Method: "PayloadService.Get", Code: "Unavailable"})
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	_, err := s.Read(ctx, lbA)
	if err == nil || !strings.Contains(err.Error(), "did not answer in time") {
		t.Errorf("Read while Lockbox is down: %v", err)
	}
}

// TestLockboxCreateRace: a unit whose secret another process made after
// this store listed the folder gets a version added, not a second secret.
func TestLockboxCreateRace(t *testing.T) {
	sim := startSim(t)
	late := openSim(t, sim, editorToken, false)
	early := openSim(t, sim, editorToken, false)
	up := Update{Values: map[Type]string{APIToken: "glpat-aaaaaaaaaaaa"}}
	if err := early.Write(t.Context(), lbA, up); err != nil {
		t.Fatal(err)
	}
	if err := late.Write(t.Context(), lbA, Update{RunnerID: 9}); err != nil {
		t.Fatal(err)
	}
	got := sim.Secrets()
	if len(got) != 1 || got[0].Entries["runner-id"] != "9" || got[0].Entries["api-token"] == "" {
		t.Errorf("secrets after the race: %d, entries of the first %v",
			len(got), len(got[0].Entries))
	}
}

// TestLockboxUnclearCreate: a Create whose answer is lost is not sent
// again once the folder shows that it landed; one that never arrived is.
func TestLockboxUnclearCreate(t *testing.T) {
	for _, lost := range []bool{true, false} {
		t.Run(fmt.Sprint("lost=", lost), func(t *testing.T) {
			sim := startSim(t)
			s := openSim(t, sim, editorToken, false)
			sim.AddFault(lockboxsim.Fault{Method: "SecretService.Create", Code: "Unavailable",
				Times: 1, Lost: lost})
			up := Update{Values: map[Type]string{APIToken: "glpat-aaaaaaaaaaaa"}, RunnerID: 3}
			if err := s.Write(t.Context(), lbA, up); err != nil {
				t.Fatal(err)
			}
			creates := sim.Count("SecretService.Create")
			adds := sim.Count("SecretService.AddVersion")
			wantCreates, wantAdds := 2, 0
			if lost {
				wantCreates, wantAdds = 1, 1
			}
			if creates != wantCreates || adds != wantAdds || len(sim.Secrets()) != 1 {
				t.Errorf("%d creates, %d versions added, %d secrets; want %d, %d, 1",
					creates, adds, len(sim.Secrets()), wantCreates, wantAdds)
			}
		})
	}
}

func TestLockboxDelete(t *testing.T) {
	sim := startSim(t)
	seedUnit(sim, lbA, map[string]string{"api-token": "glpat-aaaaaaaaaaaa"})
	s := openSim(t, sim, editorToken, false)
	for range 2 { // the second finds nothing to delete
		if err := s.Delete(t.Context(), lbA); err != nil {
			t.Fatal(err)
		}
	}
	if got := sim.Count("SecretService.Delete"); got != 1 || len(sim.Secrets()) != 0 {
		t.Errorf("%d Delete calls, %d secrets left", got, len(sim.Secrets()))
	}
}

func TestLockboxRefusesShortValues(t *testing.T) {
	sim := startSim(t)
	seedUnit(sim, lbA, map[string]string{"api-token": "short"})
	s := openSim(t, sim, readerToken, true)
	_, err := s.Read(t.Context(), lbA)
	if err == nil || !strings.Contains(err.Error(), "to mask it") {
		t.Errorf("Read of a too short token: %v", err)
	}
}

// TestLockboxCopiedRecord: two secrets that hold one unit's record fail
// that unit alone, with a message naming both; the store opens, and the
// other units read and write as usual.
func TestLockboxCopiedRecord(t *testing.T) {
	sim := startSim(t)
	first := seedUnit(sim, lbA, map[string]string{"api-token": "glpat-aaaaaaaaaaaa"})
	copied := sim.Seed(testFolder, "copy-of-api", secretDescription(lbA), secretLabels(lbA),
		map[string]string{"api-token": "glpat-cccccccccccc"})
	seedUnit(sim, lbB, map[string]string{"api-token": "glpat-bbbbbbbbbbbb"})
	s := openSim(t, sim, editorToken, false)

	units, err := s.List(t.Context())
	if err != nil || fmt.Sprint(units) != "[gitlab.com/api gitlab.example.com:8443/web]" {
		t.Fatalf("List = %v, %v", units, err)
	}
	want := []string{"two Lockbox secrets in folder " + testFolder + " hold the record of " +
		"gitlab.com/api: ", "(" + first + ")", "copy-of-api (" + copied + ")",
		"delete the one hatchery did not make"}
	_, rerr := s.Read(t.Context(), lbA)
	werr := s.Write(t.Context(), lbA, Update{RunnerID: 5})
	derr := s.Delete(t.Context(), lbA)
	for _, err := range []error{rerr, werr, derr} {
		for _, w := range want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("error %v lacks %q", err, w)
			}
		}
	}
	if _, err := s.Read(t.Context(), lbB); err != nil {
		t.Errorf("Read of another unit: %v", err)
	}
	if err := s.Write(t.Context(), lbB, Update{RunnerID: 6}); err != nil {
		t.Errorf("Write of another unit: %v", err)
	}
	if n := len(sim.Secrets()); n != 3 {
		t.Errorf("%d secrets, want the 3 there were", n)
	}
}

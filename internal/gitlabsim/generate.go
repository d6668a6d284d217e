package gitlabsim

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Generate describes a large world for load tests and benchmarks: a root
// group with Groups groups, each with a chain of up to Depth nested
// subgroups and ProjectsPerGroup projects spread over that chain. Some
// projects are archived; some projects of a group outside the root are
// shared into groups of the tree. The same options give the same world.
type Generate struct {
	Groups           int     `json:"groups"`
	ProjectsPerGroup int     `json:"projects_per_group"`
	Depth            int     `json:"depth"`    // subgroup levels below each group, at most
	Archived         float64 `json:"archived"` // share of archived projects, 0..1
	Shared           float64 `json:"shared"`   // shared-in projects per own project, 0..1
	Seed             uint64  `json:"seed"`
	Root             string  `json:"root"`  // path of the root group; "fleet" by default
	Owner            string  `json:"owner"` // user made Owner of the root; created if missing
	Token            string  `json:"token"` // api token given to a created owner
}

// GenerateWorld makes a new world from g.
func GenerateWorld(g Generate) *World {
	w := NewWorld()
	w.Generate(g)
	return w
}

// Generate adds g's tree to the world and returns its root group.
func (w *World) Generate(g Generate) *Group {
	if g.Root == "" {
		g.Root = "fleet"
	}
	rng := rand.New(rand.NewPCG(g.Seed, g.Seed^0x9e3779b97f4a7c15))
	root := w.AddGroup(nil, g.Root)
	if g.Owner != "" {
		u := w.User(g.Owner)
		if u == nil {
			u = w.AddUser(g.Owner)
			if g.Token != "" {
				w.AddToken(u, g.Token, "api")
			}
		}
		root.AddMember(u, Owner)
	}
	all := []*Group{root}
	for i := 1; i <= g.Groups; i++ {
		chain := []*Group{w.AddGroup(root, fmt.Sprintf("g%d", i))}
		for d := rng.IntN(g.Depth + 1); d > 0; d-- {
			chain = append(chain, w.AddGroup(chain[len(chain)-1], fmt.Sprintf("s%d", len(chain))))
		}
		all = append(all, chain...)
		for j := 1; j <= g.ProjectsPerGroup; j++ {
			ns := chain[rng.IntN(len(chain))]
			p := w.AddProject(ns, fmt.Sprintf("p%d-%d", i, j))
			p.Archived = rng.Float64() < g.Archived
		}
	}
	w.generateShared(g, rng, all)
	return root
}

// generateShared fills a partners group outside the root and shares each of
// its projects into one random group of the tree.
func (w *World) generateShared(g Generate, rng *rand.Rand, into []*Group) {
	n := int(math.Round(g.Shared * float64(g.Groups*g.ProjectsPerGroup)))
	if n == 0 {
		return
	}
	partners := w.AddGroup(nil, g.Root+"-partners")
	for k := 1; k <= n; k++ {
		p := w.AddProject(partners, fmt.Sprintf("shared-%d", k))
		w.ShareWith(p, into[rng.IntN(len(into))], Developer)
	}
}

package templates

import (
	"os"
	"regexp"
	"testing"

	"go.yaml.in/yaml/v3"
)

// Backstage's rules for an entity name, from its catalog model.
var entityName = regexp.MustCompile(`^([a-zA-Z0-9]+[-_.]?)*[a-zA-Z0-9]$`)

func TestCatalogInfoIsABackstageComponent(t *testing.T) {
	data, err := os.ReadFile("../catalog-info.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Metadata   struct {
			Name        string            `yaml:"name"`
			Description string            `yaml:"description"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"metadata"`
		Spec struct {
			Type, Lifecycle, Owner string
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(data, &e); err != nil {
		t.Fatal(err)
	}
	if e.APIVersion != "backstage.io/v1alpha1" || e.Kind != "Component" {
		t.Errorf("%s %s, want a backstage.io/v1alpha1 Component", e.APIVersion, e.Kind)
	}
	if len(e.Metadata.Name) > 63 || !entityName.MatchString(e.Metadata.Name) {
		t.Errorf("metadata.name %q is not a Backstage entity name", e.Metadata.Name)
	}
	if e.Spec.Type == "" || e.Spec.Lifecycle == "" || e.Spec.Owner == "" {
		t.Errorf("spec %+v: type, lifecycle and owner are required", e.Spec)
	}
	if e.Metadata.Annotations["gitlab.com/project-slug"] != "hatchery/hatchery" {
		t.Errorf("annotations %v lack the GitLab project slug", e.Metadata.Annotations)
	}
}

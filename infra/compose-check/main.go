// Command compose-check loads docker-compose.yml with compose-go, the loader `docker compose`
// itself is built on (schema validation, interpolation, env_file resolution, profiles), and
// checks what the project relies on: every service has a health check, so
// `docker compose up -d --wait` waits until each is ready; dependencies wait for health;
// the producer and workers sit behind the `app` profile. It needs no Docker engine.
//
//	go run ./infra/compose-check [docker-compose.yml]
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

const appProfile = "app"

func main() {
	file := "docker-compose.yml"
	if len(os.Args) > 1 {
		file = os.Args[1]
	}
	problems, summary, err := check(file)
	if err != nil {
		fmt.Fprintf(os.Stderr, "compose-check: %s: %v\n", file, err)
		os.Exit(1)
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "compose-check: %s:\n  %s\n", file, strings.Join(problems, "\n  "))
		os.Exit(1)
	}
	fmt.Printf("compose ok: %s\n", summary)
}

// load reads the file as `docker compose --profile <profiles>` would.
func load(file string, profiles []string) (*types.Project, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	options, err := cli.NewProjectOptions([]string{abs},
		cli.WithWorkingDirectory(filepath.Dir(abs)),
		cli.WithName("compose-check"),
		cli.WithProfiles(profiles),
	)
	if err != nil {
		return nil, err
	}
	return options.LoadProject(context.Background())
}

func check(file string) ([]string, string, error) {
	brokers, err := load(file, nil)
	if err != nil {
		return nil, "", err
	}
	all, err := load(file, []string{"*"})
	if err != nil {
		return nil, "", err
	}
	var problems []string
	app := map[string]bool{}
	for name, service := range all.Services {
		problems = append(problems, serviceProblems(name, service)...)
		for _, p := range service.Profiles {
			app[name] = app[name] || p == appProfile
		}
	}
	for name := range all.Services {
		_, enabled := brokers.Services[name]
		if app[name] == enabled {
			problems = append(problems, fmt.Sprintf("%s: in the %q profile: %v, started without a profile: %v", name, appProfile, app[name], enabled))
		}
	}
	if len(app) == 0 {
		problems = append(problems, fmt.Sprintf("no service in the %q profile", appProfile))
	}
	sort.Strings(problems)
	summary := fmt.Sprintf("%d services (%s); profile %s adds %s; every one has a health check",
		len(all.Services), strings.Join(brokers.ServiceNames(), ", "), appProfile, strings.Join(keys(app), ", "))
	return problems, summary, nil
}

func serviceProblems(name string, s types.ServiceConfig) []string {
	var out []string
	if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) < 2 {
		out = append(out, name+": no health check (docker compose up --wait could not wait for it)")
	}
	for dep, d := range s.DependsOn {
		if d.Condition != types.ServiceConditionHealthy {
			out = append(out, fmt.Sprintf("%s: depends on %s with condition %q, not %q", name, dep, d.Condition, types.ServiceConditionHealthy))
		}
	}
	return out
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		if v {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

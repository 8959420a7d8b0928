// Command compose-check loads docker-compose.yml with compose-go, the loader `docker compose`
// itself is built on (schema validation, interpolation, env_file resolution, profiles), and
// checks what the project relies on: every service has a health check, so
// `docker compose up -d --wait` waits until each is ready; dependencies wait for health;
// the producer and workers sit behind the `app` profile, the replicated brokers behind
// `cluster`, and each profile loads. It needs no Docker engine.
//
//	go run ./infra/compose-check [docker-compose.yml]
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// The opt-in profiles: the system under test, and the replicated brokers. Every service is
// in none of them (started by plain `docker compose up`) or in exactly one.
var profiles = []string{"app", "cluster"}

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
	members := map[string][]string{}
	for name, service := range all.Services {
		problems = append(problems, serviceProblems(name, service)...)
		_, enabled := brokers.Services[name]
		switch {
		case len(service.Profiles) == 0 && enabled:
		case len(service.Profiles) == 1 && slices.Contains(profiles, service.Profiles[0]) && !enabled:
			members[service.Profiles[0]] = append(members[service.Profiles[0]], name)
		default:
			problems = append(problems, fmt.Sprintf("%s: profiles %v, started without a profile: %v; want none, or one of %v", name, service.Profiles, enabled, profiles))
		}
	}
	summary := fmt.Sprintf("%d services (%s)", len(all.Services), strings.Join(brokers.ServiceNames(), ", "))
	for _, p := range profiles {
		added, err := profileProblems(file, p, brokers, members[p])
		if err != nil {
			return nil, "", fmt.Errorf("profile %s: %w", p, err)
		}
		problems = append(problems, added...)
		sort.Strings(members[p])
		summary += fmt.Sprintf("; profile %s adds %s", p, strings.Join(members[p], ", "))
	}
	sort.Strings(problems)
	return problems, summary + "; every one has a health check", nil
}

// profileProblems loads the file as `docker compose --profile <p>` would: it must start the
// default services and exactly the profile's own.
func profileProblems(file, p string, brokers *types.Project, members []string) ([]string, error) {
	if len(members) == 0 {
		return []string{fmt.Sprintf("no service in the %q profile", p)}, nil
	}
	project, err := load(file, []string{p})
	if err != nil {
		return nil, err
	}
	want := append(brokers.ServiceNames(), members...)
	got := project.ServiceNames()
	sort.Strings(want)
	sort.Strings(got)
	if !slices.Equal(want, got) {
		return []string{fmt.Sprintf("--profile %s starts %v, want %v", p, got, want)}, nil
	}
	return nil, nil
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

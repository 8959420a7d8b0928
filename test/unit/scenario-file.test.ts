/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access --
   the tests edit scenario data freely, as a file may hold anything */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { dumpScenario, parseScenarioText, ScenarioFileError } from '../../harness/scenario-file.ts';
import { REPO_ROOT } from '../../harness/infra/paths.ts';
import { validateScenario } from '../../harness/validate-scenario.ts';
import { ConfigError } from '../../lib/errors.ts';
import { getScenario, SCENARIOS } from '../../scenarios/index.ts';

/** The problems a file's text is refused for (fails the test when it is accepted). */
function problemsOf(text: string, source = 'test.yaml'): readonly string[] {
  try {
    parseScenarioText(text, source);
  } catch (err) {
    expect(err).to.be.instanceOf(ScenarioFileError).and.instanceOf(ConfigError);
    return (err as ScenarioFileError).problems;
  }
  expect.fail(`accepted:\n${text}`);
}

const SMOKE_YAML = dumpScenario(getScenario('smoke')!);
/** The dumped smoke scenario with `edit` applied to its data, as YAML again. */
function smokeWith(edit: (s: Record<string, any>) => void): string {
  const data = parse(SMOKE_YAML) as Record<string, any>;
  edit(data);
  return JSON.stringify(data);
}

describe('scenario files', () => {
  it('every built-in scenario dumps as YAML and parses back to the same data', () => {
    for (const s of SCENARIOS) {
      const yaml = dumpScenario(s);
      expect(yaml, s.name).to.match(/^# Scenario "/);
      expect(parseScenarioText(yaml, `${s.name}.yaml`), s.name).to.deep.equal(s);
      expect(parseScenarioText(JSON.stringify(s), `${s.name}.json`), s.name).to.deep.equal(s);
    }
  });

  it('reads a dump redirected from npm run, banner and all, with line numbers kept', () => {
    const banner =
      '\n> fault-tolerant-event-pipeline@0.1.0 scenario\n> tsx harness/cli/scenario.ts --dump smoke\n\n';
    expect(parseScenarioText(banner + SMOKE_YAML, 'smoke.yaml')).to.deep.equal(
      getScenario('smoke'),
    );
    expect(problemsOf(`${banner}name: [a\n`)[0]).to.contain('line 6'); // line 2 without the banner
  });

  it('reads YAML by default and JSON by the .json extension', () => {
    const json = JSON.stringify(parse(SMOKE_YAML));
    expect(parseScenarioText(json, 'a.json').name).to.equal('smoke');
    expect(parseScenarioText(json, 'a.yml').name).to.equal('smoke'); // JSON is YAML too
    expect(problemsOf('{"name": ', 'a.json')[0]).to.match(/^not valid JSON: /);
  });

  it('refuses text that is not YAML, a duplicate key, or not a mapping', () => {
    expect(problemsOf('name: [a\n')[0]).to.match(/^not valid YAML: .*line \d+/);
    expect(problemsOf('name: a\nname: b\n')[0]).to.match(
      /^not valid YAML: Map keys must be unique/,
    );
    expect(problemsOf('- a\n- b\n')).to.deep.equal([
      'scenario: an object (a mapping of fields), got a list',
    ]);
    expect(problemsOf('')).to.deep.equal(['scenario: an object (a mapping of fields), got null']);
  });

  it('an unknown field is an error at every level, naming its path and the known fields', () => {
    const problems = problemsOf(
      smokeWith((s) => {
        s.extra = 1;
        s.load.mesages = 3;
        s.workers.sise = 2;
        s.expectations.producerFailures.mx = 2;
        s.expectations.kils = { min: 1 };
        s.timeouts = { drain: 3 };
        s.schedule = [{ at: 1, fault: { kind: 'kill-worker', cuont: 2 }, heal: 2 }];
        s.chaos = {
          startSec: 1,
          endSec: 5,
          meanIntervalSec: 1,
          healAfterSec: [1, 2],
          faults: [{ kind: 'pause-worker' }],
          every: 3,
        };
      }),
    );
    expect(problems).to.include.members([
      'extra: unknown field (a scenario takes: name, description, transports, load, workers, schedule, chaos, expectations, allowsZombies, infra, timeouts, maxUnavailableMs, maxRecoveryMs)',
      'load.mesages: unknown field (load takes: messages, ratePerSec, concurrency, batchSize, poisonFraction, payloadBytes, durationSec, keys, sequential)',
      'workers.sise: unknown field (workers takes: size, workTimeMs, startAfterSec, env)',
      'expectations.producerFailures.mx: unknown field (expectations.producerFailures takes: min, max)',
      'expectations.kils: unknown field (expectations takes: kills, failovers, redeliveries, producerFailures, recovered, consumerStallMs, deadLettered, latencyP99Ms)',
      'timeouts.drain: unknown field (timeouts takes: drainSec)',
      'schedule[0].heal: unknown field (schedule[0] takes: at, fault, healAfter, pools)',
      'chaos.every: unknown field (chaos takes: startSec, endSec, endBeforeLoadEndSec, meanIntervalSec, healAfterSec, maxActive, faults)',
      'schedule[0].fault.cuont: not a field of kill-worker (it takes: count)',
    ]);
    expect(problems).to.have.length(9);
  });

  it('workers.env takes only option variables of lib/config.ts, each with a value it accepts', () => {
    const problems = problemsOf(
      smokeWith((s) => {
        s.workers.env = {
          KAFKA_SESION_TIMEOUT_MS: '4000',
          NOT_AN_OPTION: 'x',
          WORKER_CONCURRENCY: '0',
          FAILPOINTS: 'early-202',
          KAFKA_TOPIC: 'shared',
          WORK_TIME_MS: '3',
          REDIS_CLAIM_IDLE_MS: '2000',
        };
      }),
    );
    expect(problems).to.deep.equal([
      'workers.env.KAFKA_SESION_TIMEOUT_MS: not an option variable of lib/config.ts (did you mean KAFKA_SESSION_TIMEOUT_MS?)',
      "workers.env.NOT_AN_OPTION: not an option variable of lib/config.ts (see the README's configuration table)",
      'workers.env.WORKER_CONCURRENCY: WORKER_CONCURRENCY must be a whole number from 1 to 10000, got "0"',
      'workers.env.FAILPOINTS: set by the harness for every run (from --failpoints)',
      'workers.env.KAFKA_TOPIC: set by the harness for every run (from the run (per-run names))',
      'workers.env.WORK_TIME_MS: set by the harness for every run (from workers.workTimeMs)',
    ]);
  });

  it('names every value of the wrong type and every missing field, with a hint for YAML scalars', () => {
    const problems = problemsOf(
      smokeWith((s) => {
        s.load.messages = '300';
        s.workers.env = { WORKER_CONCURRENCY: 4 };
        s.schedule = {};
        s.transports = 'kafka';
        delete s.description;
        delete s.expectations;
      }),
    );
    expect(problems).to.deep.equal([
      'description: required, a string',
      'transports: a list, got "kafka"',
      'load.messages: a number, got "300"',
      "workers.env.WORKER_CONCURRENCY: a string (quote it: '4'), got number 4",
      'schedule: a list, got an object',
      'expectations: required, an object',
    ]);
  });

  it('checks what the values mean with the catalogue validator, once the types hold', () => {
    const problems = problemsOf(
      smokeWith((s) => {
        s.name = 'Not Kebab';
        s.load.ratePerSec = 0;
        s.chaos = { startSec: 5, endSec: 1, meanIntervalSec: 1, healAfterSec: [1, 2], faults: [] };
      }),
    );
    expect(problems).to.deep.equal([
      'name: kebab-case, got "Not Kebab"',
      'load.ratePerSec: must be > 0',
      'chaos.endSec: after startSec',
      'chaos.faults: at least one',
    ]);
    expect(problemsOf(smokeWith((s) => (s.chaos = { healAfterSec: [1] })))).to.include(
      'chaos.healAfterSec: a list of 2, got a list',
    );
  });

  it('the validator is the same for a TypeScript scenario: unknown env keys are errors there too', () => {
    const smoke = getScenario('smoke')!;
    const typo = { ...smoke, workers: { ...smoke.workers, env: { WORKER_CONCURENCY: '4' } } };
    expect(validateScenario(typo)).to.deep.equal([
      'workers.env.WORKER_CONCURENCY: not an option variable of lib/config.ts (did you mean WORKER_CONCURRENCY?)',
    ]);
  });

  it('the error message lists each problem on its own line under the file name', () => {
    try {
      parseScenarioText(
        smokeWith((s) => (s.load.mesages = 1)),
        'my.json',
      );
      expect.fail('accepted');
    } catch (err) {
      expect((err as Error).message).to.equal(
        'scenario file my.json:\n  load.mesages: unknown field (load takes: messages, ratePerSec, concurrency, batchSize, poisonFraction, payloadBytes, durationSec, keys, sequential)',
      );
    }
  });

  it("the README's example file is a valid scenario", () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(parseScenarioText(example, 'README.yaml').name).to.equal('redis-kills-under-latency');
  });
});

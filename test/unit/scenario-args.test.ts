import { expect } from 'chai';
import { parseScenarioArgs, type ParsedScenarioArgs } from '../../harness/cli/scenario-args.ts';
import { SCENARIO_NAMES } from '../../scenarios/index.ts';

const parse = (...argv: string[]) => parseScenarioArgs(argv, SCENARIO_NAMES);
const errorOf = (r: ParsedScenarioArgs) => {
  expect(r.kind).to.equal('error');
  return r.kind === 'error' ? r : { message: '', exitCode: 0 };
};

describe('scenario CLI arguments', () => {
  it('parses a full command line, with "--" and --flag=value forms', () => {
    const r = parse(
      'crash-consumer',
      '--',
      '--messages',
      '200',
      '--rate=40',
      '--duration',
      '15',
      '--transports',
      'kafka,redis',
      '--workers',
      '3',
      '--seed',
      'abc-1',
      '--out',
      '/tmp/r',
      '--json',
      '--failpoints',
      'sink-slow,producer-504',
    );
    expect(r).to.deep.equal({
      kind: 'run',
      args: {
        scenario: 'crash-consumer',
        messages: 200,
        rate: 40,
        durationSec: 15,
        transports: ['kafka', 'redis'],
        workers: 3,
        seed: 'abc-1',
        outDir: '/tmp/r',
        json: true,
        failpoints: ['sink-slow', 'producer-504'],
      },
    });
  });

  it('uses defaults for a bare scenario name', () => {
    expect(parse('smoke')).to.deep.equal({
      kind: 'run',
      args: { scenario: 'smoke', outDir: 'runs', json: false, failpoints: [] },
    });
  });

  it('lists and helps', () => {
    expect(parse('--list')).to.deep.equal({ kind: 'list' });
    const help = parse('--help');
    expect(help.kind).to.equal('help');
    if (help.kind === 'help') expect(help.text).to.contain('crash-consumer');
  });

  it('names an unknown scenario and lists the valid ones, exit code 2', () => {
    const e = errorOf(parse('crash-consumr'));
    expect(e.exitCode).to.equal(2);
    expect(e.message).to.contain('"crash-consumr"');
    for (const name of SCENARIO_NAMES) expect(e.message).to.contain(name);
  });

  it('names an unknown flag and lists the valid ones', () => {
    const e = errorOf(parse('smoke', '--mesages', '3'));
    expect(e.message).to.contain('"--mesages"');
    expect(e.message).to.contain('--messages');
    expect(errorOf(parse('smoke', '-x')).message).to.contain('"-x"');
  });

  it('rejects bad values, naming the flag', () => {
    expect(errorOf(parse('smoke', '--messages', '0')).message).to.contain('--messages');
    expect(errorOf(parse('smoke', '--messages', '1.5')).message).to.contain('--messages');
    expect(errorOf(parse('smoke', '--rate', 'fast')).message).to.contain('--rate');
    expect(errorOf(parse('smoke', '--transports', 'kafka,rabbit')).message).to.contain('"rabbit"');
    expect(errorOf(parse('smoke', '--seed', 'a b')).message).to.contain('--seed');
    expect(errorOf(parse('smoke', '--messages')).message).to.contain('needs a value');
    expect(errorOf(parse('smoke', '--seed', '--json')).message).to.contain('needs a value');
    expect(errorOf(parse('smoke', '--json=yes')).message).to.contain('takes no value');
  });

  it('reads --x v and --x=v alike, wherever the scenario name stands', () => {
    const spaced = parse('--messages', '200', 'smoke', '--transports', 'kafka');
    expect(spaced).to.deep.equal(parse('smoke', '--messages=200', '--transports=kafka'));
    expect(spaced).to.deep.include({ kind: 'run' });
  });

  it('helps on -h and --help, with or without a scenario; lists after --', () => {
    for (const argv of [['-h'], ['--help'], ['smoke', '-h'], ['--', '--help']]) {
      expect(parse(...argv).kind, argv.join(' ')).to.equal('help');
    }
    expect(parse('--', '--list')).to.deep.equal({ kind: 'list' });
  });

  it('names the flag that misses its value', () => {
    expect(errorOf(parse('smoke', '--seed')).message).to.contain('--seed needs a value');
    expect(errorOf(parse('smoke', '--out', '--json')).message).to.contain('--out needs a value');
    expect(errorOf(parse('smoke', '--bogus=1')).message).to.contain('"--bogus"');
  });

  it('reads the soak, repeat and shrink flags', () => {
    expect(parse('soak', '--duration', '3600', '--concurrency', '16')).to.deep.include({
      kind: 'run',
    });
    const soak = parse('soak', '--duration', '3600', '--concurrency', '16');
    expect(soak.kind === 'run' && soak.args).to.include({ durationSec: 3600, concurrency: 16 });
    const repeat = parse('chaos', '--repeat', '5', '--failpoints', 'no-claim');
    expect(repeat.kind === 'run' && repeat.args).to.include({ repeat: 5 });
    const shrink = parse('chaos', '--seed', 's1', '--shrink');
    expect(shrink.kind === 'run' && shrink.args).to.include({ shrink: true, seed: 's1' });
    expect(errorOf(parse('chaos', '--repeat', '0')).message).to.contain('--repeat');
    expect(errorOf(parse('chaos', '--concurrency', 'x')).message).to.contain('--concurrency');
    expect(errorOf(parse('chaos', '--repeat', '2', '--shrink')).message).to.contain(
      'one at a time',
    );
  });

  it('asks for exactly one scenario', () => {
    expect(errorOf(parse()).message).to.contain('smoke');
    expect(errorOf(parse('smoke', 'chaos')).message).to.contain('one scenario');
  });

  it('runs a scenario file instead of a name, with the same flags', () => {
    expect(parse('--file', 'my.yaml', '--messages', '100', '--junit', 'out/j.xml')).to.deep.equal({
      kind: 'run',
      args: {
        file: 'my.yaml',
        messages: 100,
        junit: 'out/j.xml',
        outDir: 'runs',
        json: false,
        failpoints: [],
      },
    });
    expect(errorOf(parse('smoke', '--file', 'my.yaml')).message).to.contain('not both');
    expect(errorOf(parse('--file=')).message).to.contain('--file must not be empty');
    expect(errorOf(parse()).message).to.contain('--file');
  });

  it('dumps a named scenario, refusing an unknown one', () => {
    expect(parse('--dump', 'crash-consumer')).to.deep.equal({
      kind: 'dump',
      scenario: 'crash-consumer',
    });
    const e = errorOf(parse('--dump', 'crash'));
    expect(e.exitCode).to.equal(2);
    expect(e.message).to.contain('"crash"').and.contain('crash-consumer');
    expect(errorOf(parse('smoke', '--dump', 'smoke')).message).to.contain('--dump takes');
  });

  it('takes --junit FILE on a named run too; the help names the new flags', () => {
    const r = parse('smoke', '--junit', 'runs/junit.xml');
    expect(r).to.deep.include({ kind: 'run' });
    if (r.kind === 'run') expect(r.args.junit).to.equal('runs/junit.xml');
    expect(errorOf(parse('smoke', '--junit')).message).to.contain('--junit needs a value');
    const help = parse('--help');
    for (const flag of ['--file', '--dump', '--junit']) {
      expect(help.kind === 'help' ? help.text : '').to.contain(flag);
    }
  });
});

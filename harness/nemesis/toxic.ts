import { proxiesFor } from './links.ts';
import { checkProxyTarget, type ProxyTarget } from './proxy-target.ts';
import { KILLS_NONE, type FaultPackage } from './types.ts';

const TOXIC_TYPES = [
  'latency',
  'bandwidth',
  'timeout',
  'reset_peer',
  'slicer',
  'limit_data',
] as const;
export type ToxicType = (typeof TOXIC_TYPES)[number];

/** Add a Toxiproxy toxic to a link; heal: remove it. */
export interface ToxicSpec {
  kind: 'toxic';
  proxy: ProxyTarget;
  type: ToxicType;
  stream: 'upstream' | 'downstream';
  /** The toxic's own settings (`latency`, `jitter`, `rate`, `timeout`, ...), as Toxiproxy names them. */
  attributes: Readonly<Record<string, number>>;
  /** Probability the toxic applies to a connection, 0..1 (default 1). */
  toxicity?: number;
}

function validate(spec: ToxicSpec, path: string): string[] {
  const out: string[] = [];
  if (!(TOXIC_TYPES as readonly string[]).includes(spec.type))
    out.push(`${path}.type: unknown toxic "${spec.type}"`);
  out.push(...checkProxyTarget(spec.proxy, `${path}.proxy`));
  if (spec.stream !== 'upstream' && spec.stream !== 'downstream')
    out.push(`${path}.stream: upstream or downstream`);
  if (spec.toxicity !== undefined && !(spec.toxicity >= 0 && spec.toxicity <= 1))
    out.push(`${path}.toxicity: in [0, 1]`);
  if (typeof spec.attributes !== 'object' || spec.attributes === null) {
    out.push(`${path}.attributes: an object of numbers`);
  } else {
    for (const [key, value] of Object.entries(spec.attributes)) {
      if (typeof value !== 'number' || !Number.isFinite(value))
        out.push(`${path}.attributes.${key}: a number`);
    }
  }
  return out;
}

// Unique names: two toxics of one type and stream may be in force on a link at once.
let toxicCounter = 0;

export const toxic: FaultPackage<ToxicSpec> = {
  kind: 'toxic',
  fields: ['proxy', 'type', 'stream', 'attributes', 'toxicity'],
  validate,
  instant: false,
  hitsPools: false,
  kills: KILLS_NONE,
  async start(ctx, spec) {
    const names = proxiesFor(spec.proxy, ctx.transports);
    const toxicName = `${spec.type}-${spec.stream}-${++toxicCounter}`;
    for (const name of names) {
      const proxy = await ctx.toxiproxy.get(name);
      await proxy.addToxic({
        name: toxicName,
        type: spec.type,
        stream: spec.stream,
        toxicity: spec.toxicity ?? 1,
        attributes: spec.attributes,
      });
    }
    return {
      target: names.join(','),
      detail: {
        toxic: toxicName,
        type: spec.type,
        stream: spec.stream,
        attributes: spec.attributes,
      },
      heal: async () => {
        for (const name of names) {
          const proxy = await ctx.toxiproxy.get(name);
          await (await proxy.getToxic(toxicName)).remove();
        }
      },
    };
  },
  label: 'toxic',
};

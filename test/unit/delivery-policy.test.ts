import { expect } from 'chai';
import { AppError, NotSentError, PermanentHandlerError } from '../../lib/errors.ts';
import { SinkUnavailableError } from '../../lib/sink.ts';
import {
  classifyFailure,
  decideDelivery,
  RETRY_MAX_MS,
  type FailureClass,
} from '../../lib/transports/delivery-policy.ts';

describe('delivery policy: retry or dead-letter', function () {
  const limits = (maxDeliveries: number) => ({
    maxDeliveries,
    retryBackoffMs: 100,
    jitter: 'none' as const,
  });

  it('classifies retriable AppErrors as retriable and everything else as counted', function () {
    const cases: [unknown, FailureClass][] = [
      [new SinkUnavailableError('sink down'), 'retriable'],
      [new NotSentError('broker down'), 'retriable'],
      [new AppError('X', 'retriable app error', { retriable: true }), 'retriable'],
      [new PermanentHandlerError('poison'), 'counted'],
      [new AppError('SINK_REJECTED', 'WRONGTYPE'), 'counted'],
      [new SyntaxError('malformed envelope'), 'counted'],
      [new TypeError('handler bug'), 'counted'],
      ['a thrown string', 'counted'],
      [undefined, 'counted'],
    ];
    for (const [err, expected] of cases) expect(classifyFailure(err)).to.equal(expected);
  });

  it('decides each class x delivery x limit as the table says', function () {
    // [failure, deliveries, maxDeliveries, action]
    const table: [FailureClass, number, number, 'retry' | 'dead-letter'][] = [
      ['counted', 1, 1, 'dead-letter'],
      ['counted', 1, 3, 'retry'],
      ['counted', 2, 3, 'retry'],
      ['counted', 3, 3, 'dead-letter'],
      ['counted', 4, 3, 'dead-letter'],
      ['counted', 4, 5, 'retry'],
      ['counted', 5, 5, 'dead-letter'],
      ['counted', 1000, 1000, 'dead-letter'],
      ['retriable', 1, 1, 'retry'],
      ['retriable', 3, 3, 'retry'],
      ['retriable', 4, 3, 'retry'],
      ['retriable', 1000, 5, 'retry'],
    ];
    for (const [failure, deliveries, max, action] of table) {
      const decision = decideDelivery({ failure, deliveries }, limits(max));
      expect(decision.action, `${failure} at ${deliveries} of ${max}`).to.equal(action);
    }
  });

  it('dead-letters a poison event after exactly maxDeliveries deliveries', function () {
    for (const max of [1, 3, 5]) {
      let deliveries = 0;
      let decision;
      do {
        deliveries += 1;
        decision = decideDelivery({ failure: 'counted', deliveries }, limits(max));
      } while (decision.action === 'retry');
      expect(deliveries).to.equal(max);
    }
  });

  it('backs a retry off by attempt (default: the deliveries), capped at RETRY_MAX_MS', function () {
    const after = (deliveries: number, attempt?: number) => {
      const d = decideDelivery({ failure: 'retriable', deliveries, attempt }, limits(5));
      return d.action === 'retry' ? d.afterMs : -1;
    };
    expect([1, 2, 3, 4].map((n) => after(n))).to.deep.equal([100, 200, 400, 800]);
    // Kafka: a retriable retry in place is not a delivery, but it still backs off.
    expect(after(1, 4)).to.equal(800);
    expect(after(1, 50)).to.equal(RETRY_MAX_MS);
    const capped = decideDelivery(
      { failure: 'counted', deliveries: 3 },
      { ...limits(10), retryMaxMs: 300 },
    );
    expect(capped).to.deep.equal({ action: 'retry', afterMs: 300 });
  });

  it('jitters the retry delay within [half, full] by default, from the injected source', function () {
    const at = (r: number) =>
      decideDelivery(
        { failure: 'counted', deliveries: 3 },
        { maxDeliveries: 5, retryBackoffMs: 100, random: () => r },
      );
    expect(at(0)).to.deep.equal({ action: 'retry', afterMs: 200 });
    expect(at(0.5)).to.deep.equal({ action: 'retry', afterMs: 300 });
    expect(at(0.999999)).to.deep.equal({ action: 'retry', afterMs: 400 });
  });
});

/** A compose health check; `docker compose up --wait` waits until it passes. */
export function healthcheck(test: readonly string[], intervalS: number, startS: number) {
  return {
    test: [...test],
    interval: `${intervalS}s`,
    timeout: '20s',
    retries: 30,
    start_period: `${startS}s`,
  };
}

/** `depends_on` that waits for each service's health check, not just its start. */
export const healthy = (...names: string[]) =>
  Object.fromEntries(names.map((n) => [n, { condition: 'service_healthy' }]));

// When a service traces, and what its /metrics answers in front of its app.
import express from 'express';
import request from 'supertest';
import { tracingOffReason } from '../src/telemetry/start-tracing';
import { ServiceMetrics } from '../src/telemetry/metrics';

describe('tracingOffReason', () => {
  it.each([
    [{}, 'OTEL_EXPORTER_OTLP_ENDPOINT is not set'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'TRUE' }, 'OTEL_SDK_DISABLED is true'],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' },
      'OTEL_TRACES_EXPORTER is none',
    ],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, undefined],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, undefined],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'false' }, undefined],
  ])('%j: %s', (env, reason) => {
    expect(tracingOffReason(env as NodeJS.ProcessEnv)).toBe(reason);
  });
});

describe('ServiceMetrics in front of an app', () => {
  const app = express();
  app.get('/api/things/:id', (_req, res) => void res.status(200).send({}));
  app.post('/api/things', (_req, res) => void res.status(400).send({ errors: [{ message: 'no' }] }));
  const metrics = new ServiceMetrics('things');
  const served = metrics.instrument(app);

  it('times each request by method, route template and status; a path no route matched has no route', async () => {
    await request(served).get('/api/things/1');
    await request(served).get('/api/things/2');
    await request(served).post('/api/things').send({});
    await request(served).get('/nowhere');

    const answer = await request(served).get('/metrics');

    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const count = (labels: string) =>
      new RegExp(`^http_server_request_duration_seconds_count\\{${labels}\\} (\\d+)$`, 'm').exec(answer.text)?.[1];
    expect(count('http_request_method="GET",http_route="/api/things/:id",http_response_status_code="200"')).toBe('2');
    expect(count('http_request_method="POST",http_route="/api/things",http_response_status_code="400"')).toBe('1');
    expect(count('http_request_method="GET",http_route="",http_response_status_code="404"')).toBe('1');
    expect(answer.text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(answer.text).toMatch(/^nodejs_eventloop_lag_seconds [\d.e-]+$/m);
  });

  it('answers GET and HEAD only on /metrics, in the error format otherwise', async () => {
    const refused = await request(served).post('/metrics');
    expect(refused.status).toBe(405);
    expect(refused.headers.allow).toBe('GET, HEAD');
    expect(refused.body).toEqual({ errors: [{ message: 'Method not allowed: /metrics answers GET' }] });
    expect((await request(served).head('/metrics')).status).toBe(200);
  });
});

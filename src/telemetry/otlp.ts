/**
 * OTLP export of run traces to an OpenTelemetry collector, configured by the standard
 * `OTEL_EXPORTER_OTLP_*` environment variables. The local span store keeps every span
 * whether or not a collector is configured.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../core/logger.js';

/** Environment variables that name a collector for traces. */
const ENDPOINT_VARIABLES = ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'];

/**
 * Returns an OTLP/HTTP (JSON) span exporter when the environment names a collector, else
 * undefined. The exporter itself reads the endpoint, headers and timeout variables, so
 * `OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318` sends to `/v1/traces` there.
 * `OTEL_TRACES_EXPORTER=none` turns export off.
 */
export function otlpExporterFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  logger?: Logger,
): SpanExporter | undefined {
  const endpoint = ENDPOINT_VARIABLES.map((name) => env[name]).find((value) => value);
  if (endpoint === undefined || env.OTEL_TRACES_EXPORTER === 'none') {
    return undefined;
  }
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (protocol !== undefined && protocol !== 'http/json') {
    logger?.warn('sandstack exports traces as OTLP/HTTP with JSON; ignoring the protocol setting', {
      protocol,
    });
  }
  return new OTLPTraceExporter();
}

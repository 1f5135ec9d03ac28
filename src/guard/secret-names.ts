/**
 * Names of settings and environment variables that hold secrets: passwords, tokens, keys,
 * and connection strings, whose URL carries the database or broker password
 * (`DATABASE_URL`, `REDIS_URL`, `MONGODB_URI`, `*_DSN`).
 */

/** Secret words inside a name, in any case and with any separator. */
const SECRET_WORDS =
  /passw|passphrase|secret|token|api_?key|access_?key|private_?key|signing_?key|encryption_?key|master_?key|credential|auth(?!or)/i;

/** Connection strings by name: `DATABASE_URL`, `redisUri`, `PG_DSN`, `AZURE_STORAGE_CONNECTION_STRING`. */
const CONNECTION_STRING =
  /(?:^|[_:.-])(?:database|db|redis|valkey|mongo(?:db)?|postgres(?:ql)?|pg|mysql|mariadb|mssql|sqlserver|cockroach(?:db)?|clickhouse|neo4j|couchdb|memcached?|cache|amqp|rabbitmq|cloudamqp|broker|elasticsearch|opensearch|kafka|nats|celery_broker)_?(?:url|uri)$|(?:^|[a-z_])dsn$|connection_?string|conn_?str/i;

/** Checks whether a variable name says it stores a connection string, such as `REDIS_URL`. */
export function isConnectionStringName(name: string): boolean {
  return CONNECTION_STRING.test(name);
}

/** Checks whether a setting or variable name says it stores a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_WORDS.test(name) || CONNECTION_STRING.test(name);
}

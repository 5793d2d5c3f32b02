import * as pulumi from "@pulumi/pulumi";
import { APP_DB_USER } from "./databaseUsers";
import { DOCUMENTDB_PORT } from "./documentDb";
import { DATABASE_NAME, POSTGRES_PORT } from "./postgres";
import { RDS_CA_PATH } from "./rdsCa";

/** Name of the Spring SSL bundle that trusts the RDS CAs (`spring.ssl.bundle.pem.<name>`). */
export const RDS_SSL_BUNDLE = "rds";

/**
 * JDBC URL through the AWS Advanced JDBC Wrapper: the `iam` plugin signs a fresh authentication token for
 * every new connection with the pod's IRSA role (no password exists to rotate), and `failover` follows the
 * Aurora writer within seconds of a failover (https://github.com/aws/aws-advanced-jdbc-wrapper). TLS is
 * verified against the RDS CAs mounted in every pod.
 */
export function postgresJdbcUrl(host: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.interpolate`jdbc:aws-wrapper:postgresql://${host}:${POSTGRES_PORT}/${DATABASE_NAME}?sslmode=verify-full&sslrootcert=${RDS_CA_PATH}&wrapperPlugins=iam,failover`;
}

/**
 * DocumentDB URI without credentials: the driver authenticates as the pod's IAM role (MONGODB-AWS against
 * `$external`, where the bootstrap Job registered the role). The path names the default database only; the
 * explicit `authSource` keeps drivers from authenticating against it. TLS, the replica set, reads from
 * secondaries and no retryable writes are what DocumentDB requires
 * (https://docs.aws.amazon.com/documentdb/latest/developerguide/connect_programmatically.html).
 */
export function documentDbUri(host: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.interpolate`mongodb://${host}:${DOCUMENTDB_PORT}/${DATABASE_NAME}?tls=true&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false&authSource=%24external&authMechanism=MONGODB-AWS`;
}

/** The Spring properties that point the services at Aurora and DocumentDB (Parameter Store, not secret). */
export function dataStoreProperties(args: {
  postgresWriter: pulumi.Input<string>;
  postgresReader: pulumi.Input<string>;
  documentDbEndpoint: pulumi.Input<string>;
}): Record<string, pulumi.Input<string>> {
  return {
    "spring.datasource.url": postgresJdbcUrl(args.postgresWriter),
    "spring.datasource.username": APP_DB_USER,
    "spring.datasource.driver-class-name": "software.amazon.jdbc.Driver",
    "ams.datasource.reader-url": postgresJdbcUrl(args.postgresReader),
    [`spring.ssl.bundle.pem.${RDS_SSL_BUNDLE}.truststore.certificate`]: `file:${RDS_CA_PATH}`,
    "spring.data.mongodb.uri": documentDbUri(args.documentDbEndpoint),
    "spring.data.mongodb.ssl.enabled": "true",
    "spring.data.mongodb.ssl.bundle": RDS_SSL_BUNDLE,
    "ams.documentdb.endpoint": args.documentDbEndpoint,
  };
}

// Package lockboxsim is an in-process simulator of the Yandex Cloud APIs
// that hatchery's Lockbox backend calls, served on 127.0.0.1 for tests, the
// demo and benchmarks.
//
// One gRPC listener serves the generated services of go-genproto:
// lockbox.v1.SecretService (Get, List, Create, AddVersion, Delete, Activate,
// Deactivate), lockbox.v1.PayloadService (Get), operation.OperationService
// (Get) and iam.v1.IamTokenService (Create, for service-account keys). One
// HTTP listener serves the workload identity federation token exchange
// (POST /oauth/token, RFC 8693) and the VM metadata service's token
// (GET /computeMetadata/v1/instance/service-accounts/default/token).
//
// The rules are Lockbox's own, as its API declares them in the proto
// validation options and documents them:
//
//   - folder_id and secret ids at most 50 characters; a secret name at most
//     100, unique in its folder; a description at most 1024;
//   - at most 64 labels, keys [a-z][-_0-9a-z]* and values [-_0-9a-z]*, each
//     at most 63 characters;
//   - entry keys [-_./\\@0-9a-zA-Z]+ of at most 256 characters, each value at
//     most 65536 bytes, all values of a version together at most 64 KB, at
//     most maxEntries entries in a version;
//   - AddVersion starts from the current version (or base_version_id) and
//     applies the changes: an entry named in the request replaces the old
//     one, every other entry is kept;
//   - an inactive secret's payload cannot be read; a destroyed version's
//     payload cannot be read;
//   - every call carries "authorization: Bearer <IAM token>"; what a token
//     may do follows the roles of its subject: lockbox.viewer lists and reads
//     metadata, lockbox.payloadViewer reads payloads, lockbox.editor creates,
//     changes and deletes (and includes viewer), lockbox.admin does all of
//     it; a secret with its own KMS key also needs
//     kms.keys.encrypterDecrypter to read or write its payload;
//   - operations are returned finished, with their metadata and response.
//
// Every call is counted by method and result, so tests can assert how many
// requests a plan made, and each answer carries an x-request-id header.
package lockboxsim

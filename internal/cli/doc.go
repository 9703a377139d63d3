// Package cli is the slotwise command line: the subcommands (run, migrate,
// events, dlq, outbox, bench, version), their flags, the SLOTWISE_*
// environment variables that back every flag, human-readable and JSON
// output, and exit codes (0 success, 1 failure, 2 usage error).
//
// What the process does once configured belongs in package app; the ops
// commands only attach to a running instance through NATS and the service
// databases.
package cli

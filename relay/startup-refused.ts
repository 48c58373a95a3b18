// A reason the relay will not start that the operator can fix (another relay on the
// DATA_DIR, Redis out of reach): reported as one line, with no stack trace.
export class StartupRefused extends Error {}

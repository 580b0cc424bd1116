// Runs before test-env.ts in the faults project: a fault run logs what the server did not expect
// (a 500's cause and stack), where CI's log shows it; expected refusals are not logged.
process.env.LOG_LEVEL ??= 'error';

// The shape of the benchmark's tool loop, shared by the parent and the server process. Kept out of
// bench-server.ts: importing that module starts a server, which would keep the parent alive.

/** Model calls of one benchmark run. */
export const STEPS_PER_RUN = 10;

// How a bench script ends: exit 0 when its main resolves, else print the error and
// exit 1 (the load generators and servers it started stop with it).
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
      process.exit(1);
    },
  );
}

export async function main(argv: string[]): Promise<number> {
  process.stdout.write(`meshbench ${argv.join(' ')}\n`);
  return 0;
}

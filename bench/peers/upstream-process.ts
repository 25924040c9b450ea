// Start bench/peers/upstream.js as a child process and wait for its port.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Upstream {
  port: number;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Run a peer script (bench/peers/*.js) with `args` and wait for the port it prints. */
export async function spawnPeer(script: string, args: string[] = []): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (c: Buffer) => {
      buf += c;
      const m = /^(\d+)\n/.exec(buf);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited with ${code}`)));
  });
  return { port, child };
}

export async function startUpstream(): Promise<Upstream> {
  const { port, child } = await spawnPeer(fileURLToPath(new URL('./upstream.js', import.meta.url)));
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    child,
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}

// YAML builders for the modeled-service tests: a Deployment + Service per
// workload (any image), and the model documents as written by users.

export function workload(name: string, opts: { app?: string; version?: string; image?: string; port?: number; annotations?: Record<string, string> } = {}): string {
  const app = opts.app ?? name;
  const version = opts.version ?? 'v1';
  const ann = opts.annotations
    ? `      annotations:\n${Object.entries(opts.annotations).map(([k, v]) => `        ${k}: ${v}`).join('\n')}\n`
    : '';
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  selector: { matchLabels: { app: ${app}, version: ${version} } }
  template:
    metadata:
      labels: { app: ${app}, version: ${version} }
${ann}    spec:
      containers:
      - name: main
        image: ${opts.image ?? 'example.com/shop/' + app + ':1.0'}
        ports: [{ containerPort: ${opts.port ?? 8080} }]
---
`;
}

export function service(name: string, port = 8080): string {
  return `apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec:
  selector: { app: ${name} }
  ports: [{ name: http, port: ${port}, targetPort: ${port} }]
---
`;
}

export function model(name: string, body: string): string {
  return `apiVersion: meshbench/v1
kind: ServiceModel
metadata: { name: ${name} }
spec:
${body
  .trim()
  .split('\n')
  .map((l) => '  ' + l)
  .join('\n')}
---
`;
}

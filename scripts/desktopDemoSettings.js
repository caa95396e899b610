// Writes the user settings of the desktop demo profile (.vscode-test/demo-user, see
// .vscode/launch.json): the endpoint points at the local emulator on the given port.
const { mkdirSync, writeFileSync } = require('fs');
const path = require('path');

const port = Number(process.argv[2] ?? 7070);
const dir = path.join(__dirname, '..', '.vscode-test', 'demo-user', 'User');
mkdirSync(dir, { recursive: true });
const settings = { 'qianfan.endpoint': `http://127.0.0.1:${port}`, 'security.workspace.trust.enabled': false };
writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
console.log(`demo settings: qianfan.endpoint = ${settings['qianfan.endpoint']}`);

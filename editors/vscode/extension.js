// Starts `skuld lsp` for skuld policy files and tenant YAML (see docs/editors.md).
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('skuld');
  const command = config.get('path', 'skuld');
  const tenants = config.get('tenantFiles', '**/*.{yaml,yml}');
  // The server speaks over standard input and output; vscode-languageclient adds `--stdio`,
  // which `skuld lsp` accepts.
  const server = { command, args: ['lsp'], transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'skuld' },
      { scheme: 'file', language: 'yaml', pattern: tenants },
    ],
    synchronize: {
      // A changed config or waivers file reaches the server as a save of that file.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{.skuld.yaml,skuld-waivers.yaml}'),
    },
  };
  client = new LanguageClient('skuld', 'skuld', { run: server, debug: server }, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };

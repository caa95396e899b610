/** The parts of package.json the tests read, typed, so that no test works on `any`. */
export interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}

export interface ConfigurationProperty {
  type?: string;
  default?: unknown;
  scope?: string;
  pattern?: string;
  enum?: string[];
  enumItemLabels?: string[];
  enumDescriptions?: string[];
  markdownDescription?: string;
}

export interface Manifest {
  name: string;
  version: string;
  publisher: string;
  license?: string;
  icon?: string;
  categories?: string[];
  keywords?: string[];
  extensionKind?: string[];
  repository?: unknown;
  engines: { vscode: string };
  activationEvents?: string[];
  contributes: {
    commands: { command: string; title: string; category?: string; icon?: string }[];
    menus: Record<string, MenuEntry[]>;
    configuration: { title: string; properties: Record<string, ConfigurationProperty> };
    keybindings?: { command: string; key: string; when?: string }[];
  };
  devDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}

export function asManifest(json: unknown): Manifest {
  return json as Manifest;
}

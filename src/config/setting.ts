/** What the configuration table says of one setting (`npm run docs:config` writes it). */
export interface SettingDoc {
  name: string;
  /** What it does, in a line. */
  meaning: string;
  /** What values it takes, where the validators alone do not say it plainly. */
  allowed?: string;
  /** The default as shown, where the class's own initial value is not it (computed, or none). */
  shownDefault?: string;
}

/** A module's settings: a class of validated environment variables with their defaults. */
export type SettingsClass = new () => object;

const docs = new Map<SettingsClass, SettingDoc[]>();

/**
 * Documents a setting where it is declared, so the generated table (docs/configuration.md) and
 * the code cannot disagree. Declaration order is the table's order.
 */
export function Setting(
  meaning: string,
  extra: Omit<SettingDoc, 'name' | 'meaning'> = {},
): PropertyDecorator {
  return (target, property) => {
    const owner = target.constructor as SettingsClass;
    docs.set(owner, [...(docs.get(owner) ?? []), { name: String(property), meaning, ...extra }]);
  };
}

/** The documented settings of a class, in declaration order. */
export function settingDocs(settings: SettingsClass): SettingDoc[] {
  return docs.get(settings) ?? [];
}

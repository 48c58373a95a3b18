// Picks the Bridge for where the renderer runs: the Electron preload exposes
// `window.relaychat`; anywhere else we are a web page served by the relay itself.
import type { Bridge } from './types';
import { createWebBridge } from './web';

type ElectronBridgeModule = { createElectronBridge: () => Bridge };

// A lazy glob instead of a plain import: the Electron bridge is someone else's file and
// must not be bundled into (or break) the web build, which never uses it.
const electronModules = import.meta.glob<ElectronBridgeModule>('./electron.ts');

export function isElectron(): boolean {
  return typeof window !== 'undefined' && 'relaychat' in window;
}

export async function createBridge(): Promise<Bridge> {
  if (isElectron()) {
    const load = electronModules['./electron.ts'];
    if (!load) throw new Error('running in Electron but renderer/bridge/electron.ts is missing');
    const mod = await load();
    return mod.createElectronBridge();
  }
  return createWebBridge(location.origin);
}

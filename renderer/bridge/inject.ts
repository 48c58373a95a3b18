// The app provides one Bridge; stores and components inject it (tests provide their own).
import { inject, type InjectionKey } from 'vue';
import type { Bridge } from './types';

export const BridgeKey: InjectionKey<Bridge> = Symbol('bridge');

export function useBridge(): Bridge {
  const bridge = inject(BridgeKey);
  if (!bridge) throw new Error('no Bridge provided: app.provide(BridgeKey, bridge) first');
  return bridge;
}

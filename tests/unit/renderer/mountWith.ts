// Mounts a component the way main.ts runs the app: Pinia plus a provided Bridge.
import { mount, type ComponentMountingOptions } from '@vue/test-utils';
import { createPinia } from 'pinia';
import type { Component } from 'vue';
import { BridgeKey } from '../../../renderer/bridge/inject';
import type { Bridge } from '../../../renderer/bridge/types';

export function mountWith<C extends Component>(component: C, bridge: Bridge, options: ComponentMountingOptions<C> = {}) {
  return mount(component, {
    ...options,
    global: { plugins: [createPinia()], provide: { [BridgeKey as symbol]: bridge }, ...options.global },
  } as ComponentMountingOptions<C>);
}

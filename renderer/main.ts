import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { createBridge } from './bridge/index';
import { BridgeKey } from './bridge/inject';
import { wireBridge } from './app/wireBridge';
import { parseRoute } from './app/route';
import { useSessionStore } from './stores/session';
import './styles/base.css';

async function start(): Promise<void> {
  const bridge = await createBridge();
  const app = createApp(App);
  app.provide(BridgeKey, bridge);
  app.use(createPinia());
  const route = parseRoute(location.hash);
  app.runWithContext(() => {
    wireBridge(bridge, { openJoinedChats: route.kind === 'main' });
    void useSessionStore().restore();
  });
  app.mount('#app');
}

start().catch((err: unknown) => {
  const el = document.getElementById('app');
  if (el) el.textContent = `RelayChat could not start: ${err instanceof Error ? err.message : String(err)}`;
});

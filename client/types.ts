// The client core shares its public shapes with the renderer's Bridge, so the
// Electron main process can forward them over IPC unchanged. Type-only import:
// nothing of the renderer is bundled into the core.
export type { ConnectionState, OutgoingMessage, OutgoingUpdate, AuthOutcome } from '../renderer/bridge/types';

// A media query as a ref that follows the window as it is resized. Where matchMedia is
// missing (some test DOMs) the caller says what to assume.
import { onBeforeUnmount, ref, type Ref } from 'vue';

export function useMediaQuery(query: string, whenUnknown: boolean): Ref<boolean> {
  const list = typeof window !== 'undefined' && typeof window.matchMedia === 'function' ? window.matchMedia(query) : null;
  const matches = ref(list?.matches ?? whenUnknown);
  if (list) {
    const onChange = (e: MediaQueryListEvent) => (matches.value = e.matches);
    list.addEventListener('change', onChange);
    onBeforeUnmount(() => list.removeEventListener('change', onChange));
  }
  return matches;
}

/** Below this width the members pane goes behind its button. */
export const MEMBERS_BESIDE = '(min-width: 1000px)';
/** Below this width the sidebar goes behind a button too. */
export const SIDEBAR_BESIDE = '(min-width: 800px)';

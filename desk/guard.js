// Leaving a view with unsaved work asks first: another view of the desk (the router asks
// `mayLeave`), a reload, or closing the tab (the browser's own question).

import { t } from './i18n.js';

let dirty = null;

/** The open view has unsaved work while `isDirty()` says so. */
export function setLeaveGuard(isDirty) {
  dirty = isDirty;
}

/** Whether the desk may leave the open view (asking when it has unsaved work). */
export function mayLeave() {
  if (!dirty || !dirty()) {
    dirty = null;
    return true;
  }
  // eslint-disable-next-line no-alert -- the browser's own question, as for a reload
  if (window.confirm(t('leaveUnsaved'))) {
    dirty = null;
    return true;
  }
  return false;
}

window.addEventListener('beforeunload', (event) => {
  if (dirty && dirty()) {
    event.preventDefault();
    event.returnValue = '';
  }
});

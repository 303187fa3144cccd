/**
 * @file model/session/util.c  Lists, timers, attributes
 *
 * The small data structures the model is built from.  Lookups by id and by
 * dialog are O(1) expected (a chained hash that doubles at load 1); timers
 * sit in a binary min-heap that knows each timer's slot, so restarting the
 * expiry of an application session on every access is O(log n).
 */
#include <stdlib.h>
#include <string.h>
#include "ssm_int.h"

/* ----- list ----- */

void ssm__list_append(struct list *l, struct le *e)
{
	e->next = NULL;
	e->prev = l->tail;
	if (l->tail)
		l->tail->next = e;
	else
		l->head = e;
	l->tail = e;
	l->n++;
}

void ssm__list_unlink(struct list *l, struct le *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		l->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		l->tail = e->prev;
	e->prev = e->next = NULL;
	l->n--;
}

/* ----- timer heap (heap.h) ----- */

void ssm__tmr_init(struct tmr *t, void (*h)(struct tmr *t))
{
	heap_node_init(&t->n);
	t->h = h;
}

/** Arm (or re-arm) @t at @due.  @return SSM_OK or SSM_NOMEM. */
int ssm__tmr_start(struct ssm *m, struct tmr *t, uint64_t due)
{
	return heap_start(&m->timers, &t->n, due) ? SSM_NOMEM : SSM_OK;
}

void ssm__tmr_stop(struct ssm *m, struct tmr *t)
{
	heap_stop(&m->timers, &t->n);
}

uint64_t ssm_next_timer(const struct ssm *m)
{
	const struct heap_node *x = heap_top(&m->timers);

	return x ? x->due : 0;
}

/** Fire every due timer, then run the readiness step. */
void ssm_run_timers(struct ssm *m)
{
	uint64_t now = ssm_now(m);

	for (struct heap_node *x; (x = heap_top(&m->timers)) &&
	     x->due <= now;) {
		struct tmr *t = (struct tmr *)x;   /* its first member */

		ssm__tmr_stop(m, t);
		t->h(t);
	}
	ssm_settle(m);
}

/* ----- attributes ----- */

static void attrs_destroy(void *data)
{
	struct attrs *a = data;

	while (a->head) {
		struct attr *x = a->head;

		a->head = x->next;
		mem_deref(x->name);
		free(x);
	}
}

struct attrs *ssm__attrs_alloc(void)
{
	return mem_zalloc(sizeof(struct attrs), attrs_destroy);
}

/** A shallow copy: same names bound to the same values (DERIVED-03). */
struct attrs *ssm__attrs_copy(const struct attrs *src)
{
	struct attrs *a = ssm__attrs_alloc();
	struct attr **tail;

	if (!a)
		return NULL;
	tail = &a->head;
	for (const struct attr *x = src->head; x; x = x->next) {
		struct attr *y = calloc(1, sizeof(*y));

		if (!y)
			return mem_deref(a);
		y->name = mem_strdup(x->name);
		if (!y->name) {
			free(y);
			return mem_deref(a);
		}
		y->value = x->value;
		y->b = x->b;
		*tail = y;
		tail = &y->next;
		a->n++;
	}
	return a;
}

struct attr *ssm__attrs_find(const struct attrs *a, const char *name)
{
	for (struct attr *x = a->head; x; x = x->next)
		if (!strcmp(x->name, name))
			return x;
	return NULL;
}

static void fire_attr(struct ssm_app *app, enum ssm_attr_ev ev,
		      enum ssm_kind kind, void *owner, const char *name,
		      void *value)
{
	if (app && app->l.attr)
		app->l.attr(ev, kind, owner, name, value, app->l.arg);
}

/**
 * Bind @name to @value (SAS-02, SAS-03, SS-02).  Replacing a value with the
 * very same object does not fire valueBound again; a different object gets
 * valueBound before the old one gets valueUnbound (servlet order).
 */
int ssm__attrs_set(struct ssm_app *app, enum ssm_kind kind, void *owner,
		   struct attrs *a, const char *name, void *value,
		   const struct ssm_binding *b)
{
	struct attr *x = ssm__attrs_find(a, name);
	struct ssm_binding nb = {0};

	if (b)
		nb = *b;

	if (x) {
		void *old = x->value;
		struct ssm_binding ob = x->b;

		x->value = value;
		x->b = nb;
		if (old != value) {
			if (nb.bound)
				nb.bound(value, name, kind, owner, nb.arg);
			if (ob.unbound)
				ob.unbound(old, name, kind, owner, ob.arg);
		}
		fire_attr(app, SSM_ATTR_REPLACED, kind, owner, name, old);
		return SSM_OK;
	}

	x = calloc(1, sizeof(*x));
	if (!x)
		return SSM_NOMEM;
	x->name = mem_strdup(name);
	if (!x->name) {
		free(x);
		return SSM_NOMEM;
	}
	x->value = value;
	x->b = nb;
	x->next = a->head;
	a->head = x;
	a->n++;
	if (nb.bound)
		nb.bound(value, name, kind, owner, nb.arg);
	fire_attr(app, SSM_ATTR_ADDED, kind, owner, name, value);
	return SSM_OK;
}

void ssm__attrs_remove(struct ssm_app *app, enum ssm_kind kind, void *owner,
		       struct attrs *a, const char *name)
{
	struct attr **pp;

	for (pp = &a->head; *pp; pp = &(*pp)->next) {
		struct attr *x = *pp;

		if (strcmp(x->name, name))
			continue;
		*pp = x->next;
		a->n--;
		if (x->b.unbound)
			x->b.unbound(x->value, x->name, kind, owner, x->b.arg);
		fire_attr(app, SSM_ATTR_REMOVED, kind, owner, x->name,
			  x->value);
		mem_deref(x->name);
		free(x);
		return;
	}
}

/** Unbind every attribute (on invalidation, INVAL-01, INVAL-03). */
void ssm__attrs_clear(struct ssm_app *app, enum ssm_kind kind, void *owner,
		      struct attrs *a)
{
	while (a->head)
		ssm__attrs_remove(app, kind, owner, a, a->head->name);
}

size_t ssm__attrs_names(const struct attrs *a, const char **names, size_t max)
{
	size_t i = 0;

	for (const struct attr *x = a->head; x; x = x->next, i++)
		if (i < max)
			names[i] = x->name;
	return i;
}

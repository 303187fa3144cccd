/**
 * @file model/session/timer.c  ServletTimers (TIMER-*)
 *
 * A timer belongs to its application session, which holds a reference
 * to each active one (sas->timers); a timer that fires or is cancelled
 * leaves that list.  The clock is the model's (ssm_now).
 */
#include <string.h>
#include "ssm_int.h"

/* ----- ServletTimers (TIMER-*) ----- */

static void timer_destroy(void *data)
{
	struct ssm_timer *t = data;
	const struct ssm_codec *c = &t->sas->app->codec;

	/* an info the codec made for a restored timer is handed back */
	if (t->info_decoded && t->info && c->discard)
		c->discard(SSM_KIND_SAS, NULL, t->info, c->arg);
	mem_deref(t->sas);
}

static void timer_end(struct ssm_timer *t)
{
	struct sas *sas = t->sas;

	t->active = false;
	ssm__tmr_stop(sas->app->m, &t->t);
	ssm__list_unlink(&sas->timers, &t->le);
	ssm__dirty_sas(sas);                 /* TIMER-04, TIMER-06 */
	mem_deref(t);
}

static void timer_fire(struct tmr *tm)
{
	struct ssm_timer *t = container_of(tm, struct ssm_timer, t);
	struct sas *sas = t->sas;
	struct ssm_app *app = sas->app;
	uint64_t due = tm->n.due;

	mem_ref(t);
	t->scheduled = due;
	ssm__emit(app->m, SSM_EV_TIMER_FIRED, sas, NULL, NULL, NULL, t,
		  NULL);
	if (app->l.timeout)
		app->l.timeout(t, app->l.arg);      /* TIMER-02 */

	if (t->active) {
		if (!t->period) {
			timer_end(t);
		}
		else {
			uint64_t next = t->fixed_delay ?
				ssm_now(app->m) + t->period : due + t->period;

			if (ssm__tmr_start(app->m, &t->t, next))
				timer_end(t);
		}
	}
	mem_deref(t);
}

int ssm_timer_create(struct sas *sas, uint64_t delay_ms, uint64_t period_ms,
		     bool fixed_delay, void *info, struct ssm_timer **tp)
{
	struct ssm *m;
	struct ssm_timer *t;

	SAS_CHECK(sas);
	m = sas->app->m;
	t = mem_zalloc(sizeof(*t), timer_destroy);
	if (!t)
		return SSM_NOMEM;
	ssm__tmr_init(&t->t, timer_fire);
	ssm__gen_token(m, "tm-", t->id, sizeof(t->id));
	t->sas = mem_ref(sas);
	t->info = info;
	t->period = period_ms;
	t->fixed_delay = fixed_delay;
	if (ssm__tmr_start(m, &t->t, ssm_now(m) + delay_ms)) {
		mem_deref(t);
		return SSM_NOMEM;
	}
	t->active = true;
	ssm__list_append(&sas->timers, &t->le); /* holds the reference */
	ssm__emit(m, SSM_EV_TIMER_CREATED, sas, NULL, NULL, NULL, t, NULL);
	if (tp)
		*tp = t;
	return SSM_OK;
}

/** A timer for ssm_dist_restore(), with @id; neither started nor listed. */
struct ssm_timer *ssm__timer_restore(struct sas *sas, const char *id)
{
	struct ssm_timer *t;

	if (strlen(id) >= sizeof(t->id))
		return NULL;
	t = mem_zalloc(sizeof(*t), timer_destroy);
	if (!t)
		return NULL;
	ssm__tmr_init(&t->t, timer_fire);
	memcpy(t->id, id, strlen(id) + 1);
	t->sas = mem_ref(sas);
	return t;
}

/** TIMER-04: idempotent; inside its own timeout it stops repetition. */
void ssm_timer_cancel(struct ssm_timer *t)
{
	if (!t || !t->active)
		return;
	ssm__emit(t->sas->app->m, SSM_EV_TIMER_CANCELLED, t->sas, NULL,
		  NULL, NULL, t, NULL);
	timer_end(t);
}

void ssm__timer_cancel_all(struct sas *sas)
{
	while (sas->timers.head)
		ssm_timer_cancel(container_of(sas->timers.head,
					      struct ssm_timer, le));
}

const char *ssm_timer_id(const struct ssm_timer *t)
{
	return t->id;
}

void *ssm_timer_info(const struct ssm_timer *t)
{
	return t->info;
}

struct sas *ssm_timer_sas(const struct ssm_timer *t)
{
	return t->sas;
}

bool ssm_timer_active(const struct ssm_timer *t)
{
	return t->active;
}

int64_t ssm_timer_remaining(const struct ssm_timer *t)
{
	return (int64_t)t->t.n.due - (int64_t)ssm_now(t->sas->app->m);
}

uint64_t ssm_timer_scheduled(const struct ssm_timer *t)
{
	return t->scheduled;
}

int sas_timers(struct sas *sas, struct ssm_timer **out, size_t max,
	       size_t *np)
{
	size_t n = 0;

	SAS_CHECK(sas);
	if (!np)
		return SSM_NPE;
	LIST_FOREACH(&sas->timers, e) {
		if (n < max)
			out[n] = container_of(e, struct ssm_timer, le);
		n++;
	}
	*np = n;
	return SSM_OK;
}

int sas_get_timer(struct sas *sas, const char *id, struct ssm_timer **tp)
{
	SAS_CHECK(sas);
	if (!id || !tp)
		return SSM_NPE;
	*tp = NULL;
	LIST_FOREACH(&sas->timers, e) {
		struct ssm_timer *t = container_of(e, struct ssm_timer, le);

		if (!strcmp(t->id, id))
			*tp = t;
	}
	return SSM_OK;
}

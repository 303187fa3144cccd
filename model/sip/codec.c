/**
 * @file model/sip/codec.c  the values a cluster node's sessions hold
 *
 * The codec a distributable application gives the model (ssm_codec, the
 * C form of Serializable and of the activation listeners, DIST-04 and
 * DIST-12): which values can move, how they are written as text and
 * read back.  The operations' values (sipc_ops_value) move as their
 * text; a B2BUA's leg (LEG_ATTR, the container's, not the
 * application's) as JSON with the INVITE it keeps for B2B-08.  Used by
 * store.c, which writes the text to the store.
 */
#include <stdlib.h>
#include <string.h>
#include "sipc.h"
#include "sipc_int.h"

static bool codec_serializable(enum ssm_kind kind, const char *name,
			       const void *value, void *arg)
{
	(void)kind;
	(void)arg;
	if (name && !strcmp(name, LEG_ATTR))
		return true;
	return !value || sipc_ops_is_value(value);
}

static int codec_encode(enum ssm_kind kind, const char *name,
			const void *value, char **textp, void *arg)
{
	(void)kind;
	(void)arg;
	if (name && !strcmp(name, LEG_ATTR)) {
		const struct leg *l = value;
		char *inv = NULL;
		size_t len;
		json_t *o;

		/* the INVITE a UAS leg keeps for a forking callee's further
		 * 2xx (B2B-08) moves with it, as text */
		if (l->invite && osip_message_to_str(l->invite, &inv, &len) < 0)
			inv = NULL;
		o = json_pack("{s:s?, s:s?, s:s?, s:I, s:s?}",
			      "target", l->target, "local", l->local,
			      "remote", l->remote,
			      "cseq", (json_int_t)l->invite_cseq, "invite", inv);
		osip_free(inv);
		*textp = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
	} else {
		*textp = strdup(value ? value : "");
	}
	return *textp ? SSM_OK : SSM_NOMEM;
}

static char *dup_of(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? strdup(v) : NULL;
}

static int codec_decode(enum ssm_kind kind, const char *name,
			const char *text, void **valuep,
			struct ssm_binding *bp, void *arg)
{
	(void)kind;
	(void)bp;
	(void)arg;
	if (name && !strcmp(name, LEG_ATTR)) {
		json_t *o = json_loads(text, 0, NULL);
		struct leg *l = o ? calloc(1, sizeof(*l)) : NULL;

		if (!l) {
			json_decref(o);
			return SSM_IAE;
		}
		l->target = dup_of(o, "target");
		l->local = dup_of(o, "local");
		l->remote = dup_of(o, "remote");
		l->invite_cseq = (uint32_t)json_integer_value(
			json_object_get(o, "cseq"));
		{
			const char *inv = json_string_value(
				json_object_get(o, "invite"));

			if (inv && (osip_message_init(&l->invite) < 0 ||
				    osip_message_parse(l->invite, inv,
						       strlen(inv)) < 0)) {
				osip_message_free(l->invite);
				l->invite = NULL;
			}
		}
		json_decref(o);
		*valuep = l;            /* its owner comes with did_activate */
		return SSM_OK;
	}
	*valuep = (void *)sipc_ops_value(text);
	return *valuep ? SSM_OK : SSM_NOMEM;
}

static void codec_discard(enum ssm_kind kind, const char *name, void *value,
			  void *arg)
{
	(void)kind;
	(void)arg;
	if (name && !strcmp(name, LEG_ATTR))
		sipc__leg_free(value);
}

static void codec_activate(enum ssm_kind kind, void *owner, const char *name,
			   void *value, void *arg)
{
	(void)arg;
	if (kind == SSM_KIND_SS && name && !strcmp(name, LEG_ATTR))
		((struct leg *)value)->owner = owner;
}

const struct ssm_codec *sipc__store_codec(void)
{
	static const struct ssm_codec codec = {
		.serializable = codec_serializable, .encode = codec_encode,
		.decode = codec_decode, .discard = codec_discard,
		.did_activate = codec_activate,
	};

	return &codec;
}

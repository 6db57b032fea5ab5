/* The engine: a graph prepared on a backend with activation storage planned once.
 *
 * Planning (see docs/engine.md): every computed tensor belongs to a storage "slot".
 * A RESHAPE joins its input's slot (same bytes, new shape), and a node the backend runs
 * in place joins the slot of its first input when that input dies there. Each slot
 * lives from its first definition to the last use of any tensor in it; slots whose
 * lifetimes do not overlap share bytes of one arena, placed greedily by size. */
#include "vigil/engine.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 64

typedef struct slot {
    int first, last; /* node indices during which the bytes must stay untouched */
    size_t bytes;
    size_t offset;
} slot;

struct vigil_engine {
    vigil_graph *graph;
    vigil_backend *backend;
    int n_nodes;
    vigil_tensor *values;         /* per node: a view of its data (arena, const or input) */
    void **states;                /* per node: the backend's prepared state */
    bool *prepared;               /* per node: node_prepare succeeded, release is owed */
    bool *computed;               /* per node: node_forward must run (not an alias) */
    const vigil_tensor **scratch; /* input pointers for one node_forward call */
    int n_inputs;
    int *input_nodes;
    unsigned char *arena;
    size_t arena_bytes;
};

static bool is_source(const vigil_node *node) {
    return node->op == VIGIL_OP_INPUT || node->op == VIGIL_OP_CONST;
}

static size_t node_bytes(const vigil_node *node) {
    return (size_t)vigil_shape_numel(node->out_ndim, node->out_shape) *
           vigil_dtype_size(node->out_dtype);
}

static size_t align_up(size_t n) {
    return (n + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
}

/* True when slot i goes before slot j: bigger first, then in order of definition. */
static bool placed_before(const slot *slots, int i, int j) {
    if (slots[i].bytes != slots[j].bytes)
        return slots[i].bytes > slots[j].bytes;
    return i < j;
}

/* Sorts slot indices by decreasing size (insertion sort: no qsort_r portability trouble,
 * and graphs have at most a few thousand slots, sorted once). */
static void sort_by_size(int *order, int n, const slot *slots) {
    for (int i = 1; i < n; i++) {
        int key = order[i], j = i - 1;
        while (j >= 0 && placed_before(slots, key, order[j])) {
            order[j + 1] = order[j];
            j--;
        }
        order[j + 1] = key;
    }
}

/* Greedy by size: biggest slots first, each at the lowest offset that does not collide
 * with an already placed slot alive at the same time. Returns the arena size. */
static size_t place_slots(slot *slots, int n_slots, int *order, int *placed) {
    for (int i = 0; i < n_slots; i++)
        order[i] = i;
    sort_by_size(order, n_slots, slots);
    size_t total = 0;
    int n_placed = 0;
    for (int k = 0; k < n_slots; k++) {
        slot *s = &slots[order[k]];
        size_t offset = 0;
        /* Slide past every overlapping neighbor in offset order until a gap fits. */
        bool moved = true;
        while (moved) {
            moved = false;
            for (int p = 0; p < n_placed; p++) {
                const slot *o = &slots[placed[p]];
                bool alive_together = s->first <= o->last && o->first <= s->last;
                bool bytes_overlap = offset < o->offset + o->bytes && o->offset < offset + s->bytes;
                if (alive_together && bytes_overlap) {
                    offset = align_up(o->offset + o->bytes);
                    moved = true;
                }
            }
        }
        s->offset = offset;
        placed[n_placed++] = order[k];
        if (offset + s->bytes > total)
            total = offset + s->bytes;
    }
    return total;
}

/* Decides which slot each node's tensor lives in (-1: no arena storage) and each
 * slot's lifetime and size. Returns the number of slots. */
static int assign_slots(vigil_engine *e, int *slot_of, slot *slots, int *last_use) {
    const vigil_graph *g = e->graph;
    int n = g->n_nodes, end = n; /* "alive after the run": a last use past every node */
    for (int i = 0; i < n; i++)
        last_use[i] = i;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++)
            last_use[g->nodes[i].inputs[k]] = i;
    for (int i = 0; i < g->n_outputs; i++)
        last_use[g->outputs[i].node] = end;

    int n_slots = 0;
    for (int i = 0; i < n; i++) {
        const vigil_node *node = &g->nodes[i];
        slot_of[i] = -1;
        if (node->op == VIGIL_OP_CONST)
            continue;
        if (node->op == VIGIL_OP_INPUT) {
            /* The caller writes inputs before run and may run again on the same data. */
            slots[n_slots] = (slot){.first = 0, .last = end, .bytes = node_bytes(node)};
            slot_of[i] = n_slots++;
            continue;
        }
        int src = node->inputs[0];
        if (node->op == VIGIL_OP_RESHAPE) {
            /* A reshape of a const stays a view of the const (slot -1, handled by caller). */
            slot_of[i] = slot_of[src];
            if (slot_of[i] >= 0 && slots[slot_of[i]].last < last_use[i])
                slots[slot_of[i]].last = last_use[i];
            continue;
        }
        /* In place only if nothing after this node reads the input's bytes: a slot's
         * .last covers every tensor in it defined so far, so .last == i says exactly
         * that. .first > 0 keeps input slots (first = 0) out, since inputs survive; a
         * computed node's slot never starts at 0 because node 0 has no inputs. */
        int joined = -1;
        int candidate = slot_of[src];
        if (candidate >= 0 && e->backend->ops->node_in_place && slots[candidate].last == i &&
            slots[candidate].first > 0 && slots[candidate].bytes == node_bytes(node) &&
            e->backend->ops->node_in_place(e->backend, g, i)) {
            joined = candidate;
            /* Another input in the same slot would be overwritten while still read. */
            for (int k = 1; k < node->n_inputs; k++)
                if (slot_of[node->inputs[k]] == candidate)
                    joined = -1;
        }
        if (joined >= 0) {
            slot_of[i] = joined;
            slots[joined].last = last_use[i];
        } else {
            slots[n_slots] = (slot){.first = i, .last = last_use[i], .bytes = node_bytes(node)};
            slot_of[i] = n_slots++;
        }
    }
    return n_slots;
}

static vigil_status plan(vigil_engine *e, vigil_error *err) {
    const vigil_graph *g = e->graph;
    int n = g->n_nodes;
    int *slot_of = malloc((size_t)n * sizeof *slot_of);
    int *last_use = malloc((size_t)n * sizeof *last_use);
    slot *slots = malloc((size_t)n * sizeof *slots);
    int *order = malloc((size_t)n * sizeof *order);
    int *placed = malloc((size_t)n * sizeof *placed);
    vigil_status status = VIGIL_STATUS_OK;
    if (n > 0 && (!slot_of || !last_use || !slots || !order || !placed)) {
        status = vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "engine: out of memory planning");
        goto done;
    }
    int n_slots = assign_slots(e, slot_of, slots, last_use);
    for (int s = 0; s < n_slots; s++)
        slots[s].bytes = align_up(slots[s].bytes);
    e->arena_bytes = place_slots(slots, n_slots, order, placed);
    e->arena = aligned_alloc(ARENA_ALIGN, e->arena_bytes ? e->arena_bytes : ARENA_ALIGN);
    if (!e->arena) {
        status = vigil_error_set(err, VIGIL_STATUS_NO_MEMORY,
                                 "engine: cannot allocate an arena of %zu bytes", e->arena_bytes);
        goto done;
    }
    /* Zeroed so that a run on inputs never written reads zeros, not garbage. */
    memset(e->arena, 0, e->arena_bytes);

    for (int i = 0; i < n; i++) {
        const vigil_node *node = &g->nodes[i];
        void *data;
        if (node->op == VIGIL_OP_CONST)
            data = node->value.data;
        else if (slot_of[i] >= 0)
            data = e->arena + slots[slot_of[i]].offset;
        else /* a reshape of a const */
            data = e->values[node->inputs[0]].data;
        vigil_tensor_view(&e->values[i], node->out_dtype, node->out_ndim, node->out_shape, data);
        e->computed[i] = !is_source(node) && node->op != VIGIL_OP_RESHAPE;
    }
done:
    free(slot_of);
    free(last_use);
    free(slots);
    free(order);
    free(placed);
    return status;
}

void vigil_engine_free(vigil_engine *e) {
    if (!e)
        return;
    for (int i = 0; i < e->n_nodes; i++)
        if (e->prepared && e->prepared[i] && e->backend->ops->node_release)
            e->backend->ops->node_release(e->backend, e->states[i]);
    free(e->values);
    free(e->states);
    free(e->prepared);
    free(e->computed);
    free(e->scratch);
    free(e->input_nodes);
    free(e->arena);
    free(e);
}

/* Prefixes a backend's message with the node unless the backend already named it. */
static vigil_status name_node_in_error(vigil_error *err, const vigil_node *node) {
    if (err && !strstr(err->message, node->name))
        vigil_error_prefix(err, "node '%s' (%s): ", node->name, vigil_op_type_name(node->op));
    return err ? err->status : VIGIL_STATUS_BACKEND;
}

vigil_status vigil_engine_create(vigil_graph *graph, vigil_backend *backend, vigil_engine **out,
                                 vigil_error *err) {
    if (out)
        *out = NULL;
    if (!graph || !backend || !backend->ops || !backend->ops->node_forward || !out)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "engine: needs a graph, a backend and a place for the engine");
    vigil_status s = vigil_graph_infer_shapes(graph, err);
    if (s < 0)
        return s;
    vigil_engine *e = calloc(1, sizeof *e);
    if (!e)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "engine: out of memory");
    e->graph = graph;
    e->backend = backend;
    int n = e->n_nodes = graph->n_nodes;
    size_t count = n > 0 ? (size_t)n : 1;
    int max_inputs = 1;
    for (int i = 0; i < n; i++) {
        if (graph->nodes[i].n_inputs > max_inputs)
            max_inputs = graph->nodes[i].n_inputs;
        if (graph->nodes[i].op == VIGIL_OP_INPUT)
            e->n_inputs++;
    }
    e->values = calloc(count, sizeof *e->values);
    e->states = calloc(count, sizeof *e->states);
    e->prepared = calloc(count, sizeof *e->prepared);
    e->computed = calloc(count, sizeof *e->computed);
    e->scratch = calloc((size_t)max_inputs, sizeof *e->scratch);
    e->input_nodes = calloc(e->n_inputs > 0 ? (size_t)e->n_inputs : 1, sizeof *e->input_nodes);
    if (!e->values || !e->states || !e->prepared || !e->computed || !e->scratch ||
        !e->input_nodes) {
        vigil_engine_free(e);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "engine: out of memory");
    }
    for (int i = 0, k = 0; i < n; i++)
        if (graph->nodes[i].op == VIGIL_OP_INPUT)
            e->input_nodes[k++] = i;

    for (int i = 0; i < n; i++) {
        if (is_source(&graph->nodes[i]) || !backend->ops->node_prepare)
            continue;
        s = backend->ops->node_prepare(backend, graph, i, &e->states[i], err);
        if (s < 0) {
            name_node_in_error(err, &graph->nodes[i]);
            vigil_engine_free(e);
            return s;
        }
        e->prepared[i] = true;
    }
    s = plan(e, err);
    if (s < 0) {
        vigil_engine_free(e);
        return s;
    }
    *out = e;
    return VIGIL_STATUS_OK;
}

vigil_status vigil_engine_run(vigil_engine *e, vigil_error *err) {
    if (!e)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "engine: NULL engine");
    const vigil_graph *g = e->graph;
    for (int i = 0; i < e->n_nodes; i++) {
        if (!e->computed[i])
            continue;
        const vigil_node *node = &g->nodes[i];
        for (int k = 0; k < node->n_inputs; k++)
            e->scratch[k] = &e->values[node->inputs[k]];
        vigil_status s =
            e->backend->ops->node_forward(e->backend, g, i, e->states[i], &e->values[i],
                                          (const vigil_tensor *const *)e->scratch, err);
        if (s < 0)
            return name_node_in_error(err, node);
    }
    return VIGIL_STATUS_OK;
}

int vigil_engine_input_count(const vigil_engine *e) {
    return e ? e->n_inputs : 0;
}

vigil_tensor *vigil_engine_input(vigil_engine *e, int i) {
    if (!e || i < 0 || i >= e->n_inputs)
        return NULL;
    return &e->values[e->input_nodes[i]];
}

int vigil_engine_output_count(const vigil_engine *e) {
    return e ? e->graph->n_outputs : 0;
}

const vigil_tensor *vigil_engine_output(const vigil_engine *e, int i) {
    if (!e || i < 0 || i >= e->graph->n_outputs)
        return NULL;
    return &e->values[e->graph->outputs[i].node];
}

const char *vigil_engine_output_name(const vigil_engine *e, int i) {
    if (!e || i < 0 || i >= e->graph->n_outputs)
        return NULL;
    return e->graph->outputs[i].name;
}

int vigil_engine_find_output(const vigil_engine *e, const char *name) {
    if (!e || !name)
        return -1;
    for (int i = 0; i < e->graph->n_outputs; i++)
        if (strcmp(e->graph->outputs[i].name, name) == 0)
            return i;
    return -1;
}

size_t vigil_engine_arena_bytes(const vigil_engine *e) {
    return e ? e->arena_bytes : 0;
}

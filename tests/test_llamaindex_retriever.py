"""The hybrid retriever is a llama-index BaseRetriever: it runs inside llama-index's own query engine.

The engine answers with llama-index's MockLLM, which echoes its prompt, so the
answer shows which retrieved texts reached the language model.
"""

from __future__ import annotations

QUESTION = "Hvad blev der besluttet om botilbudskapacitet og lånepulje?"
BOTILBUD = ("kkr-syddanmark-2023-11-21-referat.txt", "2.3")
ITEM_METADATA = {"source", "meeting_date", "item", "title", "section"}


def test_the_retriever_cites_its_nodes_inside_a_llama_index_query_engine(corpus_index) -> None:
    from llama_index.core.base.base_retriever import BaseRetriever
    from llama_index.core.llms import MockLLM
    from llama_index.core.query_engine import RetrieverQueryEngine

    from assistant.retrieval import HybridRetriever

    retriever = HybridRetriever(corpus_index.config, similarity_top_k=5)
    assert isinstance(retriever, BaseRetriever)
    engine = RetrieverQueryEngine.from_args(retriever, llm=MockLLM())
    response = engine.query(QUESTION)

    cited = response.source_nodes
    assert len(cited) == 5
    assert (cited[0].metadata["source"], cited[0].metadata["item"]) == BOTILBUD
    for result in cited:
        assert ITEM_METADATA <= set(result.metadata), result.metadata
        assert result.metadata["meeting_date"] == "2023-11-21" or result.metadata["source"] != BOTILBUD[0]
        body = result.node.get_content().split("\n\n", 1)[-1]
        assert body[:200] in str(response), "every cited node's text reached the LLM"
    assert [r.score for r in cited] == sorted((r.score for r in cited), reverse=True)
    # The answerer reads the same retrieve(): its chunks are the engine's nodes, in the same order.
    assert [r.node.node_id for r in cited] == [c.node_id for c in corpus_index.retrieve_chunks(QUESTION, top_k=5)]
    assert corpus_index.retrieve_items(QUESTION)[0].key == BOTILBUD

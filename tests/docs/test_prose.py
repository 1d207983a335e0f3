"""The prose word counter, checked on tiny sources whose counts are obvious by eye."""

from __future__ import annotations

import textwrap

import pytest
from prose import count_prose_words, prose_words


def count(source: str) -> int:
    return count_prose_words(textwrap.dedent(source))


def test_plain_sentence() -> None:
    assert count("The gradient shrinks at every layer.\n") == 6


def test_heading_counts_without_its_hashes() -> None:
    assert count("# Vanishing gradients\n\nThey die.\n") == 4


def test_front_matter_cell_breaks_comments_and_targets_do_not_count() -> None:
    source = """\
        ---
        file_format: mystnb
        kernelspec:
          name: python3
        ---
        (sec-start)=
        % a note to the author
        One two.
        +++ {"tags": ["hide"]}
        <!-- a comment
        over two lines -->
        Three.
        """
    assert count(source) == 3


def test_code_cells_and_code_blocks_do_not_count() -> None:
    source = """\
        Before.

        ```{code-cell} ipython3
        :tags: [remove-input]
        net = build(depth=20)
        ```

        ~~~python
        print("not prose")
        ~~~

        After.
        """
    assert prose_words(textwrap.dedent(source)) == ["Before.", "After."]


def test_raw_html_directive_and_html_blocks_do_not_count() -> None:
    source = """\
        ```{raw} html
        <div class="gradbook-scene" aria-label="Gradient-flow scene"></div>
        ```

        <div class="note">
        Raw words here.
        </div>

        Watch the first layer.
        """
    assert count(source) == 4


def test_the_scene_directive_does_not_count() -> None:
    source = """\
        ```{gradbook-scene}
        :scenario: tanh-xavier
        :payload: gradbook-payload-ch1
        :fallback: fallback-ch1
        :label: a healthy 12-layer tanh network
        ```

        :::{gradbook-scene}
        :scenario: residual
        :label: two networks side by side
        :::

        Watch the first layer.
        """
    assert prose_words(textwrap.dedent(source)) == ["Watch", "the", "first", "layer."]


def test_math_does_not_count() -> None:
    source = """\
        The slope $\\sigma'(0) = 0.25$ is small.

        $$
        \\frac{\\partial L}{\\partial h_1} = \\prod_l f_l
        $$

        $$ x = 1 $$

        \\begin{align}
        a &= b
        \\end{align}

        A {math}`\\rho^t` growth.
        """
    assert prose_words(textwrap.dedent(source)) == ["The", "slope", "is", "small.", "A", "growth."]


def test_figure_caption_and_options_do_not_count() -> None:
    source = """\
        ```{figure} chain.png
        :alt: Bars that shrink from right to left.
        :name: fig-chain

        The running product, on a log scale.
        ```
        Text.
        """
    assert count(source) == 1


def test_prose_directive_counts_title_and_body_but_not_options() -> None:
    source = """\
        ```{dropdown} Predict, then look
        :open:
        :color: info

        What happens after twenty layers?
        ```
        """
    assert count(source) == 3 + 5


def test_yaml_options_block_in_a_directive_does_not_count() -> None:
    source = """\
        :::{note}
        ---
        class: tight
        ---
        Clipping keeps the direction.
        :::
        """
    assert count(source) == 4


def test_nested_sphinx_design_containers_count_their_prose() -> None:
    source = """\
        ::::{tab-set}
        :::{tab-item} Sigmoid
        :sync: sig
        Slope at most a quarter.
        :::
        :::{tab-item} ReLU
        Slope one or zero.
        ```python
        relu = lambda x: max(0, x)
        ```
        :::
        ::::
        """
    assert count(source) == 1 + 5 + 1 + 4


def test_links_roles_and_glue() -> None:
    source = """\
        See [the paper](https://example.org/glorot.pdf) and the {term}`factor <Factor>`.
        The product is {glue:text}`product:.1e` after {glue}`depth` layers.
        ![a chain of bars](chain.png) <https://example.org>
        """
    assert prose_words(textwrap.dedent(source)) == [
        "See", "the", "paper", "and", "the", "factor.",
        "The", "product", "is", "0", "after", "0", "layers.",
    ]  # fmt: skip


def test_list_markers_tables_and_quotes() -> None:
    source = """\
        1. First point.
        2) Second point.
        - layer-by-layer view
        > Quoted words.

        | Activation | Slope |
        |------------|-------|
        | sigmoid    | 0.25  |
        """
    assert count(source) == 2 + 2 + 2 + 2 + 2 + 2


@pytest.mark.parametrize("token", ["-", "—", "**", "|", "$", "..."])
def test_punctuation_alone_is_not_a_word(token: str) -> None:
    assert count(f"Before {token} after.\n") == 2

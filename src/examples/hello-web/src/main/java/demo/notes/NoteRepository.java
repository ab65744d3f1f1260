package demo.notes;

import java.util.List;

import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

public interface NoteRepository extends JpaRepository<Note, Long> {
    @Query("select n from Note n join fetch n.author order by n.id desc")
    List<Note> latest(Pageable page);

    List<Note> findByAuthorIdOrderByIdDesc(Long authorId, Pageable page);

    long countByAuthorId(Long authorId);
}
